// Session-change events: listeners in this tab, and the BroadcastChannel that carries
// the same events to the other tabs of this origin.
//
// A sign-in, refresh or sign-out in one tab changes the cookies every tab of the origin
// shares, so every tab's listeners hear of it: `signed_in`, `refreshed` (which also
// tells the refresh coordinator of other tabs that the cookies were renewed) and
// `signed_out` (a sign-out in one tab signs out the others).
//
// Security: messages never carry a token (this client has none to send); they carry
// the user's id, email and roles, which any page of the origin can read anyway.
// BroadcastChannel is same-origin, but a received message is still validated and is
// only a hint: it drives UI state and lets a tab skip a refresh; it never grants
// anything (a skipped refresh that should not have been costs one failed retry).

const EVENT_TYPES = new Set(["signed_in", "signed_out", "refreshed"]);
const PROTOCOL_VERSION = 1;

function reportUncaught(error) {
  if (typeof globalThis.reportError === "function") globalThis.reportError(error);
  else queueMicrotask(() => { throw error; });
}

/** Fans events out to listeners; a throwing listener neither stops the others nor the client. */
export class Listeners {
  constructor() {
    this.listeners = new Set();
  }

  add(listener) {
    if (typeof listener !== "function") throw new TypeError("onSessionChange needs a function");
    // Wrapped so that the same function added twice is two subscriptions.
    const entry = (event) => listener(event);
    this.listeners.add(entry);
    return () => { this.listeners.delete(entry); };
  }

  emit(event) {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        // Reported as an uncaught error would be (window "error" event), and the
        // other listeners still run.
        reportUncaught(error);
      }
    }
  }

  clear() {
    this.listeners.clear();
  }
}

function isUser(value) {
  return value !== null && typeof value === "object"
    && typeof value.id === "string" && typeof value.email === "string"
    && Array.isArray(value.roles) && value.roles.every((role) => typeof role === "string");
}

/**
 * A message from another tab, or null if it is not one of ours.
 * @returns {{type: string, at: number, user: object|null, accessExpiresAt: number|null}|null}
 */
export function parseMessage(data) {
  if (data === null || typeof data !== "object" || data.v !== PROTOCOL_VERSION) return null;
  if (!EVENT_TYPES.has(data.type) || !Number.isFinite(data.at)) return null;
  const user = data.user === undefined || data.user === null ? null : data.user;
  if (user !== null && !isUser(user)) return null;
  const expires = data.accessExpiresAt ?? null;
  if (expires !== null && !Number.isFinite(expires)) return null;
  return { type: data.type, at: data.at, user, accessExpiresAt: expires };
}

/**
 * The cross-tab half: posts this tab's events and hands siblings' to `onMessage`.
 * Without BroadcastChannel (or if it cannot be opened) it does nothing.
 */
export class SessionChannel {
  /**
   * @param {{BroadcastChannel: typeof BroadcastChannel|null, name: string,
   *          onMessage: (message: ReturnType<typeof parseMessage>) => void}} options
   */
  constructor({ BroadcastChannel: Channel, name, onMessage }) {
    this.channel = null;
    if (typeof Channel !== "function") return;
    try {
      this.channel = new Channel(`${name}:session`);
    } catch {
      return; // e.g. an opaque origin: events stay within the tab.
    }
    this.channel.onmessage = (event) => {
      const message = parseMessage(event.data);
      if (message) onMessage(message);
    };
  }

  /** Tells the other tabs; `user` and `accessExpiresAt` (ms) when known. */
  post(type, at, { user = null, accessExpiresAt = null } = {}) {
    if (!this.channel) return;
    try {
      this.channel.postMessage({ v: PROTOCOL_VERSION, type, at, user, accessExpiresAt });
    } catch {
      // A closed channel (the client was closed meanwhile): nothing to tell.
    }
  }

  close() {
    this.channel?.close();
    this.channel = null;
  }
}
