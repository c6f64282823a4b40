// Helpers for the protected-API tests (api, admin, gdpr): requests as a session or
// anonymously, cursor walking, and the routes × roles table the tests print.

import { Client } from "./http.mjs";

/**
 * `method path` as `session` (a flows.mjs Session, authenticated the session's way)
 * or anonymously (`session` null: a fresh client without credentials).
 */
export function call(base, session, method, path, json) {
  const options = json === undefined ? {} : { json };
  if (!session) return new Client(base).request(method, path, options);
  return session.client.request(method, path, { ...options, ...session.auth() });
}

/**
 * Follows `next_cursor` from `path` (which may carry a query) and returns every item
 * under `key`, plus the number of pages. Asserts 200 on every page.
 */
export async function walk(base, session, path, key) {
  const items = [];
  let pages = 0;
  let next = path;
  for (;;) {
    const response = await call(base, session, "GET", next);
    if (response.status !== 200) throw new Error(`GET ${next}: ${response.status} ${response.text}`);
    pages += 1;
    items.push(...response.json[key]);
    const cursor = response.json.next_cursor;
    if (cursor === null || cursor === undefined) return { items, pages };
    next = `${path}${path.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(cursor)}`;
  }
}

/** A Markdown table (for the resolution note), printed by the test that measured it. */
export function markdownTable(headers, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}
