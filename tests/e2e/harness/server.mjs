// The product plus the browser suite's test pages on one origin (Miniflare), with
// `PUBLIC_ORIGIN` set to that origin: browsers send `Origin` on every POST, and the
// login, register and CSRF checks compare it with `PUBLIC_ORIGIN` (docs/sessions.md §6),
// so the port must be known before the server starts.

import { createServer } from "node:net";
import { configWith, start } from "../../harness/target.mjs";

/** A TCP port free on 127.0.0.1 right now (the OS picks it; released before returning). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts the functions (and, unless `withE2eStatic: false`, the /__e2e/ pages, which
 * exist on Workers only) on `http://127.0.0.1:<port>`, on the runtime of
 * EDGEAUTH_TARGET. `vars`: config overrides (e.g. the mail sink's, a short
 * ACCESS_TOKEN_TTL_SECS).
 * @returns {Promise<{url: string, port: number, stop: () => Promise<void>}>}
 */
export async function startE2eServer(vars = {}, { withE2eStatic = true } = {}) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = await start({ port, withE2eStatic, vars: configWith({ PUBLIC_ORIGIN: origin, ...vars }) });
  if (server.url !== origin) throw new Error(`server on ${server.url}, expected ${origin}`);
  return { ...server, port };
}
