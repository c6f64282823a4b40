// A reader of the embedded common-password filter (`shared/core/data/common-passwords.bfuse`),
// bit for bit the same lookup as `shared/core/src/policy/password/filter.rs`.
//
// Why the tests need it: the filter answers "in the set" for about 0.2 % of strings that
// are not (a documented property of a 9-bit binary fuse filter; see docs/passwords.md).
// A suite that registers several hundred random passwords per run would otherwise fail
// now and then with `weak_password` for a password nobody chose. Generators here draw
// again instead, so "a password the policy accepts" is exactly that.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

const FILTER_PATH = new URL("../../shared/core/data/common-passwords.bfuse", import.meta.url);
const MAGIC = "EAPWBF1\0";
const HEADER_LEN = 40;
const MASK64 = (1n << 64n) - 1n;

let parsed;

function filter() {
  if (parsed) return parsed;
  const bytes = readFileSync(FILTER_PATH);
  if (bytes.subarray(0, 8).toString("latin1") !== MAGIC) throw new Error("common-password filter: bad magic");
  parsed = {
    bits: BigInt(bytes[8]),
    seed: bytes.readBigUInt64LE(16),
    segmentLength: BigInt(bytes.readUInt32LE(24)),
    segmentCountLength: BigInt(bytes.readUInt32LE(28)),
    fingerprints: bytes.subarray(HEADER_LEN),
  };
  return parsed;
}

function fmix64(h) {
  h ^= h >> 33n;
  h = (h * 0xff51afd7ed558ccdn) & MASK64;
  h ^= h >> 33n;
  h = (h * 0xc4ceb9fe1a85ec53n) & MASK64;
  return h ^ (h >> 33n);
}

function fingerprint({ bits, fingerprints }, index) {
  const position = index * bits;
  const byte = Number(position / 8n);
  let word = 0n;
  for (let offset = 0; offset < 3; offset++) word |= BigInt(fingerprints[byte + offset] ?? 0) << BigInt(8 * offset);
  return (word >> (position % 8n)) & ((1n << bits) - 1n);
}

/**
 * Whether the server's policy would call `password` common (list member or false
 * positive). Only for ASCII passwords: the server NFKC-normalises first, which is the
 * identity on ASCII, and lower-cases.
 */
export function isCommonPassword(password) {
  if (!/^[\x20-\x7e]*$/.test(password)) throw new Error("isCommonPassword: ASCII passwords only");
  const f = filter();
  const digest = createHash("blake2b512").update(password.toLowerCase(), "utf8").digest();
  const h = fmix64((digest.readBigUInt64LE(0) + f.seed) & MASK64);
  const expected = (h ^ (h >> 32n)) & ((1n << f.bits) - 1n);
  const i0 = (h * f.segmentCountLength) >> 64n;
  const within = f.segmentLength - 1n;
  const i1 = (i0 + f.segmentLength) ^ ((h >> 18n) & within);
  const i2 = (i0 + 2n * f.segmentLength) ^ (h & within);
  return (fingerprint(f, i0) ^ fingerprint(f, i1) ^ fingerprint(f, i2)) === expected;
}
