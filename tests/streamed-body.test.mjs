// A body without Content-Length (chunked transfer) is read as a stream, and reading
// stops at the 16 KiB limit + 1 byte (docs/contract.md §2: 413 past 16 KiB): a 50 MiB chunked
// upload is answered 413 long before the client could have sent it, and the runtime
// never holds more than the limit. Measured from the client's side: the bytes it had
// handed to its socket when the answer came (what the server pulled, plus the
// kernel's socket buffers), the time to the answer, and the runtime process's
// resident memory before and after.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { connect } from "node:net";
import { readdirSync, readFileSync } from "node:fs";
import { configWith, start, TARGET } from "./harness/target.mjs";
import { freshIp } from "./harness/http.mjs";

const MiB = 1024 * 1024;
const UPLOAD = 50 * MiB;

let server;
before(async () => { server = await start({ vars: configWith() }); });
after(() => server.stop());

/**
 * POSTs `total` bytes to `path` with chunked transfer encoding over a raw socket,
 * writing only as fast as the connection takes them, and stops writing as soon as
 * the first byte of the answer arrives. (A raw socket, because a server that answers
 * early and closes makes node:http drop the answer on the failed write, as curl
 * does not.)
 */
function chunkedPost(path, total) {
  return new Promise((resolve, reject) => {
    const url = new URL(path, server.url);
    const started = performance.now();
    const socket = connect(Number(url.port), url.hostname);
    let written = 0;
    let answer;
    let received = Buffer.alloc(0);
    const settle = () => {
      const text = received.toString("latin1");
      const headEnd = text.indexOf("\r\n\r\n");
      if (headEnd < 0) return false;
      const head = text.slice(0, headEnd);
      let body = text.slice(headEnd + 4);
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (length && body.length < Number(length[1])) return false;
      if (!length) {
        if (!/\r\ntransfer-encoding:\s*chunked/i.test(head) || !body.endsWith("0\r\n\r\n")) return false;
        body = body.replace(/^[0-9a-f]+\r\n/i, "").replace(/\r\n0\r\n\r\n$/, "");
      }
      socket.destroy();
      resolve({ status: Number(head.split(" ")[1]), body, ...answer });
      return true;
    };
    socket.on("data", (data) => {
      answer ??= { writtenAtAnswer: written, ms: performance.now() - started };
      received = Buffer.concat([received, data]);
      settle();
    });
    // Errors on writing after the answer (the server closed its end) are expected.
    socket.on("error", (error) => { if (!answer) reject(error); });
    socket.on("close", () => { if (!settle()) reject(new Error(`connection closed: ${received}`)); });
    const piece = Buffer.concat([Buffer.from(`${(64 * 1024).toString(16)}\r\n`), Buffer.alloc(64 * 1024, 0x20),
      Buffer.from("\r\n")]);
    // One piece at a time, each once the previous one has reached the kernel and a
    // millisecond has passed for the event loop to read: an answer sent just before
    // the server closes the connection is read before a write can fail on it (Node
    // drops unread data when a write fails).
    const pump = () => {
      if (answer) return;
      if (written >= total) {
        socket.write("0\r\n\r\n");
        return;
      }
      written += 64 * 1024;
      socket.write(piece, (error) => { if (!error) setTimeout(pump, 1); });
    };
    socket.on("connect", () => {
      socket.setNoDelay(true);
      socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n`
        + `CF-Connecting-IP: ${freshIp()}\r\nTransfer-Encoding: chunked\r\n\r\n`);
      pump();
    });
  });
}

/** Resident memory (KiB) of this process's children named `name` (the runtime). */
function childRssKiB(name) {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const field = (key) => new RegExp(`^${key}:\\s*(\\S+)`, "m").exec(status)?.[1];
      if (Number(field("PPid")) === process.pid && field("Name").startsWith(name)) {
        total += Number(field("VmRSS"));
      }
    } catch { /* the process ended while we looked */ }
  }
  return total;
}

test(`${TARGET}: a 50 MiB chunked POST is answered 413 without the body being read`, async (t) => {
  const runtime = TARGET === "spin" ? "edgeauth-spin" : "workerd";
  // Warm up: the first request instantiates the function, which costs memory of its own.
  const warm = await fetch(`${server.url}/auth/login`, {
    method: "POST", headers: { "Content-Type": "application/json", "CF-Connecting-IP": freshIp() }, body: "{}",
  });
  assert.equal(warm.status, 400, await warm.text());
  const rssBefore = childRssKiB(runtime);
  const answer = await chunkedPost("/auth/login", UPLOAD);
  const rssAfter = childRssKiB(runtime);
  t.diagnostic(`${TARGET}: 413 after ${answer.ms.toFixed(0)} ms, ${(answer.writtenAtAnswer / MiB).toFixed(1)} MiB `
    + `written by then; ${runtime} RSS ${(rssBefore / 1024).toFixed(1)} -> ${(rssAfter / 1024).toFixed(1)} MiB`);
  assert.equal(answer.status, 413, answer.body);
  assert.equal(JSON.parse(answer.body).code, "payload_too_large");
  // Reading the whole body first would mean all 50 MiB had been written; the rest of
  // what was written sits in socket buffers (a few MiB on loopback).
  assert.ok(answer.writtenAtAnswer < 16 * MiB,
    `${(answer.writtenAtAnswer / MiB).toFixed(1)} MiB written before the answer`);
  assert.ok(answer.ms < 5_000, `answered after ${answer.ms.toFixed(0)} ms`);
  assert.ok(rssBefore > 0, "the runtime process is visible");
  assert.ok(rssAfter - rssBefore < 24 * 1024,
    `${runtime} grew by ${((rssAfter - rssBefore) / 1024).toFixed(1)} MiB`);
});

test(`${TARGET}: a chunked body within the limit is still read whole`, async () => {
  const json = JSON.stringify({ email: "chunked@example.com", password: "x".repeat(12_000) });
  const answer = await new Promise((resolve, reject) => {
    const req = request(new URL("/auth/login", server.url), {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": freshIp() },
    });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (data) => { body += data; });
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("error", reject);
    for (let at = 0; at < json.length; at += 1000) req.write(json.slice(at, at + 1000));
    req.end();
  });
  // Read whole: the body parses, and the long password is refused by the login's own
  // validation (a 400 or 401, not a 413 or a parse error on a truncated body).
  assert.notEqual(answer.status, 413, answer.body);
  assert.ok([400, 401].includes(answer.status), `${answer.status} ${answer.body}`);
  assert.notEqual(JSON.parse(answer.body).code, "payload_too_large");
});
