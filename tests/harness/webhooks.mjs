// A webhook receiver for the suite: stands in for a SIEM or pager that receives
// edgeauth's security webhooks (docs/monitoring.md), and checks every delivery with
// the npm reference library of the Standard Webhooks specification
// (`standardwebhooks`), an implementation independent of edgeauth's.
//
//   const receiver = await startWebhookReceiver({ secrets: [SECRET] });
//   const server = await start({ vars: configWith(receiver.vars()) });
//   ...
//   const [delivery] = await receiver.waitFor((d) => d.type === "lockout.engaged");
//   await receiver.close();
//
// It is a node:http server on 127.0.0.1 (random port) that accepts `POST /hook`,
// records every request (headers and raw body as received) and answers from a script
// of statuses (`answers`), then 204. A request is `verified` when the reference
// library accepts its signature under each of `verifyWith` (default: every secret of
// the endpoint, one at a time). `unique()` is what a receiver that deduplicates by
// `webhook-id` would process.

import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

/** A fresh `whsec_` secret (32 random bytes). */
export function newSecret() {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

export class WebhookReceiver {
  constructor(server, { name, secrets, answers }) {
    this.server = server;
    this.name = name;
    this.secrets = secrets;
    this.answers = [...answers];
    const { port } = server.address();
    /** The endpoint to configure. */
    this.url = `http://127.0.0.1:${port}/hook`;
    /** Every request received, in order: `{id, timestamp, signature, headers, body, json, type, verified, status}`. */
    this.requests = [];
  }

  /** `WEBHOOK_ENDPOINTS` and `WEBHOOK_SECRETS` pointing the product here. */
  vars({ alerts } = {}) {
    return {
      WEBHOOK_ENDPOINTS: `${this.name}=${this.url}${alerts ? `|${alerts.join(",")}` : ""}`,
      WEBHOOK_SECRETS: `${this.name}=${this.secrets.join(" ")}`,
    };
  }

  /** Requests whose `webhook-id` was not seen before (what a deduplicating receiver processes). */
  unique() {
    const seen = new Set();
    return this.requests.filter((request) => request.status < 300 && !seen.has(request.id) && seen.add(request.id));
  }

  /** Waits until `predicate(requests)` holds; returns the requests. */
  async until(predicate, { timeoutMs = 15_000, intervalMs = 25 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (predicate(this.requests)) return this.requests;
      if (Date.now() > deadline) {
        throw new Error(`webhook receiver: condition not met in ${timeoutMs} ms; got ${JSON.stringify(this.requests.map((r) => [r.type, r.status]))}`);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /** Waits for the requests whose payload satisfies `match`, at least `count`. */
  async waitFor(match, { count = 1, timeoutMs } = {}) {
    await this.until((requests) => requests.filter(match).length >= count, { timeoutMs });
    return this.requests.filter(match);
  }

  close() {
    return new Promise((resolve) => {
      this.server.closeAllConnections?.();
      this.server.close(() => resolve());
    });
  }
}

/** Whether the reference library accepts `request` under `secret`. */
export function verifiesWith(secret, request) {
  try {
    new Webhook(secret).verify(request.body, {
      "webhook-id": request.headers["webhook-id"],
      "webhook-timestamp": request.headers["webhook-timestamp"],
      "webhook-signature": request.headers["webhook-signature"],
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a receiver on 127.0.0.1 with a random port.
 * @param {{name?: string, secrets?: string[], answers?: number[]}} options
 */
export async function startWebhookReceiver({ name = "test", secrets = [newSecret()], answers = [] } = {}) {
  let receiver;
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json;
      try { json = JSON.parse(body); } catch { json = undefined; }
      const status = request.url === "/hook" && request.method === "POST" ? (receiver.answers.shift() ?? 204) : 404;
      receiver.requests.push({
        id: request.headers["webhook-id"],
        timestamp: Number(request.headers["webhook-timestamp"]),
        signature: request.headers["webhook-signature"],
        headers: { ...request.headers },
        body,
        json,
        type: json?.type,
        verified: receiver.secrets.every((secret) => verifiesWith(secret, { headers: request.headers, body })),
        status,
        at: Date.now(),
      });
      response.writeHead(status);
      response.end();
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  receiver = new WebhookReceiver(server, { name, secrets, answers });
  return receiver;
}
