// Passkeys on the hosted pages (docs/contract.md §10.4): the sign-in page's button and
// autofill (conditional mediation), and the second step's "Use a passkey instead". The
// page scripts import this module only when the server rendered the passkey controls
// (passkeys are on), and every ceremony goes through the client (`clients/js`), which
// the API checks end to end.
//
// Security considerations: the module holds no credential; a conditional request is
// aborted before any other WebAuthn request starts (a browser runs one at a time), and
// an error message never says which check failed (the API does not either).

/** Signs in with a passkey chosen in a dialog (the button). */
export async function signInWithPasskey({ client }) {
  return client.signInWithPasskey();
}

/** How often the offer starts again after the API refused a chosen passkey. */
const RESTARTS = 3;

/**
 * Offers the user's passkeys in the autofill of `autocomplete="username webauthn"`
 * fields, until one is chosen (then `onSignedIn(session)`) or `stop()` is called.
 * Nothing happens in browsers without conditional mediation. `onError(error)` hears a
 * passkey the API refused; the offer then starts again (a few times at most: each start
 * asks the API for a challenge, which counts toward the address's sign-in limit). When
 * the browser ends the request itself (no passkey for this site, or it declined), the
 * offer ends quietly.
 */
export function offerInAutofill({ client, onSignedIn, onError }) {
  let controller = null;
  let stopped = false;
  (async () => {
    if (!client.passkeysAvailable() || !(await client.conditionalMediationAvailable())) return;
    for (let start = 0; start <= RESTARTS && !stopped; start += 1) {
      controller = new AbortController();
      try {
        const session = await client.signInWithPasskey({ mediation: "conditional", signal: controller.signal });
        stopped = true;
        onSignedIn(session);
      } catch (error) {
        if (stopped || controller.signal.aborted) return;
        // Only an answer of the API (an EdgeauthError, with a code) starts the offer
        // again; the browser's own refusals (NotAllowedError, …) end it.
        if (typeof error?.code !== "string") return;
        onError(error);
      }
    }
  })();
  return {
    /** Ends the offer (before another WebAuthn request, or when leaving the form). */
    stop() {
      stopped = true;
      controller?.abort();
    },
  };
}

/** The second step of a password login with a passkey. */
export async function completeWithPasskey({ client, mfaToken }) {
  return client.completeMfaWithPasskey({ mfaToken });
}
