// A mail sink for the suite: stands in for the transactional-mail API of docs/contract.md §5
// (`MAIL_TRANSPORT=http`), so tests can read the mails the product sends.
//
// It is a node:http server on 127.0.0.1 (random port) that accepts
// `POST /send` with `Authorization: Bearer <token>` and a JSON body of exactly
// `{"from","to","subject","text"}` (strings), and keeps every such mail in order.
// Anything else is refused (401 wrong token, 404 other path, 405 other method,
// 400 other body) and counted, so a test can assert the product spoke the protocol.
//
//   const sink = await startMailSink();
//   const server = await start({ vars: configWith({ ...sink.vars() }) });
//   const mail = await sink.waitForMail("a@example.com", (m) => /verify/i.test(m.subject));
//   const token = fragmentToken(mail.text, "/verify-email");
//   ...
//   await sink.close();
//
// The Workers adapter sends mail in `waitUntil`, after the response, so
// `waitForMail` polls.

import { createServer } from "node:http";

/** The mails' token-carrying links: `<origin><path>#token=<value>`. */
const LINK = /\bhttps?:\/\/[^\s<>"]+/g;

/** Every URL in a mail text, in order. */
export function linksIn(text) {
  return text.match(LINK) ?? [];
}

/**
 * The token of the first link in `text` whose path is `path` (any path if omitted),
 * read from the `#token=` fragment. Throws if there is no such link, or if a token
 * travels in the link's query string (docs/contract.md §5 forbids it).
 */
export function fragmentToken(text, path) {
  for (const link of linksIn(text)) {
    const url = new URL(link);
    if (path !== undefined && url.pathname !== path) continue;
    if (url.search.includes("token")) throw new Error(`a token in a query string: ${link}`);
    const fragment = new URLSearchParams(url.hash.replace(/^#/, ""));
    const token = fragment.get("token");
    if (token) return token;
  }
  throw new Error(`no link${path ? ` to ${path}` : ""} with a #token= fragment in: ${text}`);
}

export class MailSink {
  constructor(server, token) {
    this.server = server;
    this.token = token;
    const { port } = server.address();
    /** The endpoint to configure as MAIL_HTTP_URL. */
    this.url = `http://127.0.0.1:${port}/send`;
    /** Every accepted mail, in arrival order: `{from, to, subject, text, at}`. */
    this.mails = [];
    /** Requests refused, by reason: a test can assert these stay 0. */
    this.refused = { unauthorized: 0, malformed: 0, other: 0 };
    this.taken = new Set();
  }

  /** The config variables that point the product at this sink. */
  vars() {
    return { MAIL_TRANSPORT: "http", MAIL_HTTP_URL: this.url, MAIL_HTTP_TOKEN: this.token };
  }

  /** Every mail received so far for `to` (case-insensitive). */
  mailsTo(to) {
    return this.mails.filter((mail) => mail.to.toLowerCase() === to.toLowerCase());
  }

  /**
   * Waits for a mail to `to` that satisfies `predicate` and that no earlier
   * `waitForMail` call returned, and returns it (so consecutive calls see
   * consecutive mails). Rejects after `timeoutMs`.
   */
  async waitForMail(to, predicate = () => true, { timeoutMs = 10_000, intervalMs = 20 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mail = this.mailsTo(to).find((m) => !this.taken.has(m) && predicate(m));
      if (mail) {
        this.taken.add(mail);
        return mail;
      }
      if (Date.now() > deadline) {
        const seen = this.mailsTo(to).map((m) => m.subject);
        throw new Error(`no matching mail to ${to} within ${timeoutMs} ms (received: ${JSON.stringify(seen)})`);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /** Resolves after `ms` if no mail to `to` arrived meanwhile beyond those already received. */
  async expectNoMoreMail(to, ms = 500) {
    const before = this.mailsTo(to).length;
    await new Promise((resolve) => setTimeout(resolve, ms));
    const after = this.mailsTo(to);
    if (after.length !== before) {
      throw new Error(`unexpected mail to ${to}: ${JSON.stringify(after.slice(before).map((m) => m.subject))}`);
    }
  }

  close() {
    return new Promise((resolve) => {
      this.server.closeAllConnections?.();
      this.server.close(() => resolve());
    });
  }
}

function isMail(body) {
  const keys = ["from", "to", "subject", "text"];
  return body !== null && typeof body === "object" && !Array.isArray(body)
    && Object.keys(body).length === keys.length
    && keys.every((key) => typeof body[key] === "string");
}

/**
 * Starts a sink on 127.0.0.1 with a random port; `token` is the expected bearer token.
 * `delayMs`: how long it takes to answer each request (a slow mail provider); mails
 * are recorded when they arrive, answered after the delay.
 */
export async function startMailSink({ token = "test-token", delayMs = 0 } = {}) {
  let sink;
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const answer = (status) => {
        setTimeout(() => {
          response.writeHead(status, { "Content-Type": "application/json" });
          response.end(status === 202 ? '{"status":"queued"}' : "{}");
        }, delayMs);
      };
      if (request.url !== "/send" || request.method !== "POST") {
        sink.refused.other++;
        return answer(request.url !== "/send" ? 404 : 405);
      }
      if (request.headers.authorization !== `Bearer ${token}`) {
        sink.refused.unauthorized++;
        return answer(401);
      }
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        body = undefined;
      }
      if (!/^application\/json\b/i.test(request.headers["content-type"] ?? "") || !isMail(body)) {
        sink.refused.malformed++;
        return answer(400);
      }
      sink.mails.push({ ...body, at: Date.now() });
      answer(202);
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  sink = new MailSink(server, token);
  return sink;
}
