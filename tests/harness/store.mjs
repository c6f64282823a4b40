// Scans what the runtime persisted under a `state` directory (see `start({state})`
// in target.mjs): Miniflare's KV blobs and Durable Object SQLite files, or the Spin
// host's key-value SQLite file. The scan is byte-level and format-agnostic, so it is
// the same on both runtimes: "is this text anywhere in what the stores hold?".
//
// Stop the server first, so every write has reached the files. Text is searched as
// UTF-8 and as UTF-16LE (V8's serializer stores two-byte strings that way), so a
// plaintext could not hide in either encoding.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every file under `dir`, recursively. */
function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** The persisted stores under `state`, for `contains` checks. */
export function scanState(state) {
  const blobs = files(state).map((path) => readFileSync(path));
  const total = blobs.reduce((sum, blob) => sum + blob.length, 0);
  return {
    files: blobs.length,
    bytes: total,
    /** Whether `text` occurs in any persisted file (UTF-8 or UTF-16LE). */
    contains(text) {
      const needles = [Buffer.from(text, "utf8"), Buffer.from(text, "utf16le")];
      return blobs.some((blob) => needles.some((needle) => blob.includes(needle)));
    },
  };
}
