// Passkeys (WebAuthn) between the API and `navigator.credentials`.
//
// The API speaks the JSON forms of WebAuthn Level 3: the options of a ceremony are a
// `PublicKeyCredentialCreationOptionsJSON` / `…RequestOptionsJSON` (byte members in
// base64url), and a credential goes back as `credential.toJSON()` would write it.
// Browsers that have `PublicKeyCredential.parse…OptionsFromJSON` and `toJSON()` convert
// natively; for the others (and for tests) this module converts by hand, member by
// member. The ceremonies themselves (`register`, `authenticate`) are the browser's; the
// server verifies everything.
//
// Security considerations:
// - Nothing is stored: options and credentials only pass through memory.
// - The RP id and origin binding is the browser's and the server's to enforce; this
//   module never chooses an RP id, it forwards the server's.
// - A conditional (autofill) request waits for the user, possibly longer than its
//   challenge lives (5 minutes): it is renewed with a fresh challenge before that, so a
//   passkey picked late does not arrive with a dead challenge (which the server would
//   count as a failure of this address).

/** base64url (no padding) of bytes. */
export function toBase64url(bytes) {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let binary = "";
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The bytes of base64url text (padding tolerated); a TypeError for anything else. */
export function fromBase64url(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*={0,2}$/.test(text)) {
    throw new TypeError("edgeauth client: not base64url");
  }
  const base64 = text.replace(/=+$/, "").replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function descriptor(json) {
  const out = { type: json.type, id: fromBase64url(json.id) };
  if (Array.isArray(json.transports)) out.transports = [...json.transports];
  return out;
}

/** `PublicKeyCredentialCreationOptions` from the server's JSON. */
export function creationOptions(json, PublicKeyCredential) {
  if (typeof PublicKeyCredential?.parseCreationOptionsFromJSON === "function") {
    return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: (json.excludeCredentials ?? []).map(descriptor),
  };
}

/** `PublicKeyCredentialRequestOptions` from the server's JSON. */
export function requestOptions(json, PublicKeyCredential) {
  if (typeof PublicKeyCredential?.parseRequestOptionsFromJSON === "function") {
    return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    allowCredentials: (json.allowCredentials ?? []).map(descriptor),
  };
}

const optional = (buffer) => (buffer ? toBase64url(buffer) : null);

/** The JSON form of a `PublicKeyCredential` (what `toJSON()` returns). */
export function credentialJSON(credential) {
  if (typeof credential?.toJSON === "function") return credential.toJSON();
  const response = credential.response;
  const json = {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: { clientDataJSON: toBase64url(response.clientDataJSON) },
    clientExtensionResults: credential.getClientExtensionResults?.() ?? {},
  };
  if (credential.authenticatorAttachment) json.authenticatorAttachment = credential.authenticatorAttachment;
  if (response.attestationObject) {
    json.response.attestationObject = toBase64url(response.attestationObject);
    json.response.transports = response.getTransports?.() ?? [];
  } else {
    json.response.authenticatorData = toBase64url(response.authenticatorData);
    json.response.signature = toBase64url(response.signature);
    json.response.userHandle = optional(response.userHandle);
  }
  return json;
}

/** Whether this browser can offer passkeys in autofill (conditional mediation). */
export async function conditionalMediationAvailable(PublicKeyCredential) {
  if (typeof PublicKeyCredential?.isConditionalMediationAvailable !== "function") return false;
  try {
    return await PublicKeyCredential.isConditionalMediationAvailable();
  } catch {
    return false;
  }
}

/** How long before a challenge's end a waiting conditional request is renewed (ms). */
const RENEW_MARGIN_MS = 30_000;

/**
 * `navigator.credentials.get` for request options fetched by `fetchOptions()`. For
 * conditional mediation the request is renewed with fresh options before its
 * challenge expires, until the user picks a passkey or `signal` aborts.
 * @param {{credentials: CredentialsContainer, PublicKeyCredential: any,
 *          fetchOptions: () => Promise<any>, mediation?: CredentialMediationRequirement,
 *          signal?: AbortSignal, setTimeout?: typeof setTimeout, clearTimeout?: typeof clearTimeout}} args
 */
export async function authenticate({ credentials, PublicKeyCredential, fetchOptions, mediation, signal,
  setTimeout: schedule = globalThis.setTimeout, clearTimeout: unschedule = globalThis.clearTimeout }) {
  for (;;) {
    const json = await fetchOptions();
    const publicKey = requestOptions(json, PublicKeyCredential);
    if (mediation !== "conditional") {
      return credentials.get({ publicKey, ...(mediation ? { mediation } : {}), signal });
    }
    const round = new AbortController();
    const abortRound = () => round.abort(signal?.reason);
    signal?.addEventListener("abort", abortRound, { once: true });
    const lifetime = Number.isFinite(json.timeout) ? json.timeout : 300_000;
    let renewed = false;
    const timer = schedule(() => { renewed = true; round.abort(); }, Math.max(1_000, lifetime - RENEW_MARGIN_MS));
    try {
      return await credentials.get({ publicKey, mediation, signal: round.signal });
    } catch (error) {
      if (!renewed || signal?.aborted) throw error;
    } finally {
      unschedule(timer);
      signal?.removeEventListener("abort", abortRound);
    }
  }
}
