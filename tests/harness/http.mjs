// A small HTTP client for the suite: JSON in/out, headers as a plain object,
// a cookie jar per client, and a per-client IP (CF-Connecting-IP) so tests can act
// as many clients against the rate limits.

let nextClient = 1;

/** A fresh client IP in TEST-NET-3 (203.0.113.0/24) or beyond, unique per call. */
export function freshIp() {
  const n = nextClient++;
  return `198.51.${(n >> 8) & 255}.${n & 255}`;
}

export class Client {
  constructor(base, { ip = freshIp(), headers = {} } = {}) {
    this.base = base;
    this.ip = ip;
    this.headers = headers;
    this.cookies = new Map();
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {{json?: any, body?: string|Uint8Array, headers?: object, cookies?: boolean}} [options]
   */
  async request(method, path, options = {}) {
    const headers = { "CF-Connecting-IP": this.ip, ...this.headers, ...(options.headers ?? {}) };
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["Content-Type"] ??= "application/json";
    }
    if (options.cookies !== false && this.cookies.size) headers.Cookie = this.cookieHeader();
    const response = await fetch(this.base + path, { method, headers, body, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === "") this.cookies.delete(name); else this.cookies.set(name, value);
    }
    const text = await response.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: response.status, headers: response.headers, text, json, setCookies: response.headers.getSetCookie() };
  }

  get(path, options) { return this.request("GET", path, options); }
  post(path, json, options = {}) { return this.request("POST", path, { ...options, json }); }
  put(path, json, options = {}) { return this.request("PUT", path, { ...options, json }); }
  delete(path, options) { return this.request("DELETE", path, options); }
}
