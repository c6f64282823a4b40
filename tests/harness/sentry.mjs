// A Sentry-compatible receiver for the suite: accepts envelopes the way Sentry's
// ingestion does (`POST /api/<project>/envelope/` with an `X-Sentry-Auth` header
// naming the DSN's public key) and parses them into their header, item headers and
// items, so tests can check what the product reports about an unexpected error.
//
//   const sentry = await startSentryReceiver();
//   const server = await start({ vars: configWith({ SENTRY_DSN: sentry.dsn }) });
//   const [envelope] = await sentry.waitForEnvelopes(1);

import { createServer } from "node:http";

export class SentryReceiver {
  constructor(server, { key, project }) {
    this.server = server;
    const { port } = server.address();
    /** The DSN to configure as SENTRY_DSN. */
    this.dsn = `http://${key}@127.0.0.1:${port}/${project}`;
    this.key = key;
    this.project = project;
    /** Accepted envelopes: `{header, items: [{header, payload}], raw, auth}`. */
    this.envelopes = [];
    /** Requests refused (wrong path, key or shape). */
    this.refused = 0;
  }

  async waitForEnvelopes(count, { timeoutMs = 10_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    while (this.envelopes.length < count) {
      if (Date.now() > deadline) throw new Error(`sentry receiver: ${this.envelopes.length} of ${count} envelopes`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.envelopes;
  }

  close() {
    return new Promise((resolve) => {
      this.server.closeAllConnections?.();
      this.server.close(() => resolve());
    });
  }
}

/** Splits an envelope: a header line, then per item a header line and `length` bytes of payload. */
export function parseEnvelope(raw) {
  const bytes = Buffer.from(raw, "utf8");
  let at = bytes.indexOf(10);
  const header = JSON.parse(bytes.subarray(0, at).toString("utf8"));
  const items = [];
  while (at + 1 < bytes.length) {
    const start = at + 1;
    const end = bytes.indexOf(10, start);
    if (end < 0) break;
    const itemHeader = JSON.parse(bytes.subarray(start, end).toString("utf8"));
    const length = itemHeader.length;
    const payload = bytes.subarray(end + 1, end + 1 + length).toString("utf8");
    items.push({ header: itemHeader, payload: JSON.parse(payload) });
    at = end + 1 + length;
  }
  return { header, items };
}

export async function startSentryReceiver({ key = "0123456789abcdef", project = "42" } = {}) {
  let receiver;
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const auth = request.headers["x-sentry-auth"] ?? "";
      const ok = request.method === "POST" && request.url === `/api/${project}/envelope/`
        && auth.startsWith("Sentry ") && auth.includes(`sentry_key=${key}`);
      if (!ok) {
        receiver.refused++;
        response.writeHead(400);
        response.end();
        return;
      }
      try {
        receiver.envelopes.push({ ...parseEnvelope(raw), raw, auth, contentType: request.headers["content-type"] });
      } catch {
        receiver.refused++;
        response.writeHead(400);
        response.end();
        return;
      }
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ id: receiver.envelopes.at(-1).header.event_id }));
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  receiver = new SentryReceiver(server, { key, project });
  return receiver;
}
