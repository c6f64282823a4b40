#!/usr/bin/env node
// Serves all six functions on http://127.0.0.1:8787 from one Miniflare instance, with
// the development config (config/development.env), state persisted in .edgeauth/state.
// Any §8 variable can be overridden from the environment:
//   MAIL_HTTP_URL=… BOOTSTRAP_ADMIN_EMAILS=… npm run dev
// Nothing here calls the internet (cf: false; no telemetry, no update checks).

import { startLocal, developmentVars } from "./local.mjs";

const port = Number(process.env.PORT ?? 8787);
const vars = developmentVars();
const { mf, url } = await startLocal({ port, vars });
console.log(`edgeauth (Workers, Miniflare) serving login, reset, refresh, api and pages on ${url}`);
console.log(`hosted pages: ${url}/sign-in, ${url}/account; example app: ${url}/example/`);
console.log(`environment=${vars.ENVIRONMENT} public_origin=${vars.PUBLIC_ORIGIN} state=.edgeauth/state`);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    await mf.dispose();
    process.exit(0);
  });
}
