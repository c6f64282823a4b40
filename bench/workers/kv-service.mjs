// Workers KV for `workerd serve` without Miniflare: an in-memory namespace behind the
// HTTP protocol workerd's `kvNamespace` binding speaks (the one Miniflare's KV worker
// implements): GET/PUT/DELETE /<key>[?urlencoded=true] and GET /?prefix=&cursor=
// &key_count_limit= for listing. One isolate holds the Map, so every worker bound to
// this service sees the same records, as with one KV namespace id.
//
// Bench-only: no persistence, no size limits, expiry checked on read.

const records = new Map(); // key -> { value: ArrayBuffer, expiration?: seconds, metadata?: string }

function keyOf(url) {
  const raw = url.pathname.slice(1);
  return url.searchParams.get("urlencoded")?.toLowerCase() === "true" ? decodeURIComponent(raw) : raw;
}

function live(record, nowSecs) {
  return record && (record.expiration === undefined || record.expiration > nowSecs);
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const nowSecs = Date.now() / 1000;
    if (request.method === "GET" && url.pathname === "/") {
      const prefix = url.searchParams.get("prefix") ?? "";
      const limit = Number(url.searchParams.get("key_count_limit") ?? 1000);
      const after = url.searchParams.get("cursor") ?? "";
      const names = [...records.keys()].filter((name) => name.startsWith(prefix) && name > after
        && live(records.get(name), nowSecs)).sort();
      const page = names.slice(0, limit);
      const keys = page.map((name) => {
        const { expiration, metadata } = records.get(name);
        return { name, ...(expiration !== undefined ? { expiration } : {}), ...(metadata !== undefined ? { metadata } : {}) };
      });
      const complete = page.length === names.length;
      return Response.json({ keys, list_complete: complete, ...(complete ? {} : { cursor: page.at(-1) }), cacheStatus: null });
    }
    const key = keyOf(url);
    switch (request.method) {
      case "GET": {
        const record = records.get(key);
        if (!live(record, nowSecs)) return new Response("Not Found", { status: 404 });
        const headers = new Headers();
        if (record.expiration !== undefined) headers.set("CF-Expiration", String(Math.floor(record.expiration)));
        if (record.metadata !== undefined) headers.set("CF-KV-Metadata", record.metadata);
        return new Response(record.value, { headers });
      }
      case "PUT": {
        const ttl = url.searchParams.get("expiration_ttl");
        const at = url.searchParams.get("expiration");
        const expiration = ttl !== null ? Math.floor(nowSecs) + Number(ttl) : at !== null ? Number(at) : undefined;
        const metadata = request.headers.get("CF-KV-Metadata") ?? undefined;
        records.set(key, { value: await request.arrayBuffer(), expiration, metadata });
        return new Response(null);
      }
      case "DELETE":
        records.delete(key);
        return new Response(null);
      default:
        return new Response("Method Not Allowed", { status: 405 });
    }
  },
};
