#!/usr/bin/env node
// Writes clients/pages/vendor/qrcode-generator.js: the npm package `qrcode-generator`
// (MIT, Kazuhiko Arase; the version pinned in package-lock.json) as one minified ES
// module, bundled with esbuild, served by the pages function as
// /assets/vendor/qrcode-generator.js. The account page draws the TOTP enrolment QR code
// with it in the browser (clients/pages/qr.js): no external service sees the secret.
//
//   node tools/vendor-qr.mjs           # rewrite the file
//   node tools/vendor-qr.mjs --check   # exit 1 if the committed file differs (tests)

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
export const VENDORED = join(root, "clients/pages/vendor/qrcode-generator.js");

/** The bundle as esbuild writes it today. */
export async function bundle() {
  const { build } = await import(require.resolve("esbuild"));
  const dir = join(root, "node_modules/qrcode-generator");
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const result = await build({
    entryPoints: [join(dir, "dist/qrcode.mjs")],
    bundle: true, format: "esm", minify: true, write: false, target: "es2020", legalComments: "none",
    banner: { js: `// qrcode-generator ${pkg.version} (MIT License, Copyright (c) 2009 Kazuhiko Arase)\n`
      + "// https://www.npmjs.com/package/qrcode-generator — bundled by tools/vendor-qr.mjs; do not edit." },
  });
  return result.outputFiles[0].text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = await bundle();
  if (process.argv.includes("--check")) {
    const same = readFileSync(VENDORED, "utf8") === text;
    console.log(same ? "vendored QR encoder is up to date" : "vendored QR encoder differs: run node tools/vendor-qr.mjs");
    process.exit(same ? 0 : 1);
  }
  writeFileSync(VENDORED, text);
  console.log(`wrote ${VENDORED} (${text.length} bytes)`);
}
