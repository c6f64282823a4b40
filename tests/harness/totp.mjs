// RFC 6238 TOTP and RFC 4648 base32, written independently of the product (node:crypto
// only), so the suite computes the codes an authenticator app would.
//
//   const secret = base32Decode(setup.json.secret);
//   const code = totp(secret, Math.floor(Date.now() / 1000));
//
// `TotpClock` hands out one code per time step, never the same step twice, because
// the product accepts each step once per user (docs/contract.md §7): a test that signs in
// twice within 30 s uses the next step's code (inside the ±1 step window), and
// waits for the clock only when that is used too.

import { createHmac } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
export const STEP_SECS = 30;

/** Decodes RFC 4648 base32 (upper or lower case, padding optional). */
export function base32Decode(text) {
  const clean = text.replace(/=+$/, "").toUpperCase();
  let bits = 0;
  let value = 0;
  const out = [];
  for (const char of clean) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** HOTP (RFC 4226 §5.3) of `counter` with HMAC-`algorithm`, `digits` digits. */
export function hotp(secret, counter, { digits = 6, algorithm = "sha1" } = {}) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/** The time step of a Unix time in seconds. */
export function stepOf(unixSecs) {
  return Math.floor(unixSecs / STEP_SECS);
}

/** TOTP (RFC 6238) at `unixSecs`: SHA-1, 6 digits, 30 s — the profile of docs/contract.md §7. */
export function totp(secret, unixSecs, options = {}) {
  return hotp(secret, stepOf(unixSecs), options);
}

/** The current Unix time in seconds. */
export function nowSecs() {
  return Math.floor(Date.now() / 1000);
}

/** Codes for one user's secret, each of a step after the last one handed out. */
export class TotpClock {
  constructor(secret) {
    this.secret = secret;
    this.lastStep = -1;
  }

  /** Records a step the server accepted by other means (the confirming code). */
  used(step) {
    this.lastStep = Math.max(this.lastStep, step);
  }

  /**
   * A fresh code: the current step's if unused, else the next step's (the server
   * accepts one step ahead); waits for the clock when that one is used too.
   * Returns `{code, step}`.
   */
  async next() {
    for (;;) {
      const current = stepOf(nowSecs());
      const step = Math.max(current, this.lastStep + 1);
      if (step <= current + 1) {
        this.lastStep = step;
        return { code: hotp(this.secret, step), step };
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  /** A code that is wrong for every step in the window. */
  wrong() {
    const current = stepOf(nowSecs());
    const valid = new Set([-1, 0, 1, 2].map((d) => hotp(this.secret, current + d)));
    for (let n = 0; ; n++) {
      const candidate = String((123456 + n * 7919) % 1_000_000).padStart(6, "0");
      if (!valid.has(candidate)) return candidate;
    }
  }
}
