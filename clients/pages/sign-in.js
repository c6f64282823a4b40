// /sign-in: email and password, then the second factor when the account has one
// (a TOTP code, a recovery code, or a passkey), then back to the validated return path.
//
// Extension point (docs/contract.md §10): when the server renders "Continue with …"
// links (flows/pages/methods.rs) they get the return path appended here; when passkeys
// are on it renders the passkey button (which loads /assets/pages/passkey.js and calls
// its `signInWithPasskey({client, returnTo})`), marks the email field
// `autocomplete="username webauthn"` (the page offers passkeys in its autofill:
// conditional mediation) and adds "Use a passkey instead" to the second step.

import {
  $, client, EdgeauthError, field, fragmentMfaToken, go, messageFor, onSubmit, ready, redirectError, returnTo, say,
  signedInPage,
} from "./common.js";

const target = returnTo();
let mfaToken = null;
let useRecovery = false;
/** The autofill offer of passkeys, while the password form is shown. */
let autofill = null;

const PASSKEY_FAILED = "Signing in with a passkey did not work. Use your password instead.";

function askForSecondFactor() {
  $("password-form").hidden = true;
  $("mfa-form").hidden = false;
  $("code").required = true;
  $("code").focus();
}

onSubmit($("password-form"), "password-error", async (data) => {
  autofill?.stop();
  let result;
  try {
    result = await client.signIn({ email: field(data, "email").trim(), password: field(data, "password") });
  } catch (error) {
    startAutofill();
    throw error;
  }
  if (result.status === "mfa_required") {
    mfaToken = result.mfaToken;
    askForSecondFactor();
    return;
  }
  go(target);
});

$("use-recovery").addEventListener("click", () => {
  useRecovery = !useRecovery;
  $("code-field").hidden = useRecovery;
  $("recovery-field").hidden = !useRecovery;
  $("code").required = !useRecovery;
  $("recovery-code").required = useRecovery;
  $("use-recovery").textContent = useRecovery ? "Use a code from the app instead" : "Use a recovery code instead";
  (useRecovery ? $("recovery-code") : $("code")).focus();
});

onSubmit($("mfa-form"), "mfa-error", async (data) => {
  if (mfaToken === null) return "Start again with your email and password.";
  const step = useRecovery
    ? { mfaToken, recoveryCode: field(data, "recovery_code").trim() }
    : { mfaToken, code: field(data, "code").replace(/\s+/g, "") };
  try {
    await client.completeMfa(step);
  } catch (error) {
    // The MFA token is single use only on success; after too many failures, or when it
    // expired, start over with the password.
    if (error?.code === "unauthenticated") {
      mfaToken = null;
      $("mfa-form").hidden = true;
      $("password-form").hidden = false;
      say("password-error", "The sign-in took too long. Enter your password again.");
      $("password").focus();
      return undefined;
    }
    throw error;
  }
  go(target);
});

// "Continue with …" providers come back to the same place.
for (const link of document.querySelectorAll("a.provider")) {
  const url = new URL(link.getAttribute("href"), location.origin);
  if (url.origin === location.origin) {
    url.searchParams.set("return_to", target);
    link.setAttribute("href", url.pathname + url.search);
  }
}

// Back from a provider: its problem code (docs/contract.md §3), or — when the account
// has two-step verification — an MFA token in the fragment, for the same second step.
const providerError = redirectError();
if (providerError) say("password-error", messageFor(new EdgeauthError({ status: 400, code: providerError, title: "Sign-in failed" })));
const handedOver = fragmentMfaToken();
if (handedOver) {
  mfaToken = handedOver;
  askForSecondFactor();
}

const passkey = $("passkey-sign-in");
if (passkey) {
  passkey.addEventListener("click", async () => {
    say("passkey-error", null);
    autofill?.stop();
    try {
      const { signInWithPasskey } = await import("/assets/pages/passkey.js");
      await signInWithPasskey({ client, returnTo: target });
      go(target);
    } catch (error) {
      say("passkey-error", error?.name === "NotAllowedError" ? "No passkey was chosen." : PASSKEY_FAILED);
      startAutofill();
    }
  });
}

const mfaPasskey = $("mfa-passkey");
if (mfaPasskey) {
  mfaPasskey.addEventListener("click", async () => {
    say("mfa-error", null);
    if (mfaToken === null) return;
    mfaPasskey.disabled = true;
    try {
      const { completeWithPasskey } = await import("/assets/pages/passkey.js");
      await completeWithPasskey({ client, mfaToken });
      go(target);
    } catch (error) {
      if (error?.code === "unauthenticated") {
        mfaToken = null;
        $("mfa-form").hidden = true;
        $("password-form").hidden = false;
        say("password-error", "The sign-in took too long. Enter your password again.");
        return;
      }
      say("mfa-error", error?.code === "invalid_mfa" ? "That passkey did not work. Try again, or use a code."
        : error?.name === "NotAllowedError" ? "No passkey was chosen." : messageFor(error));
    } finally {
      mfaPasskey.disabled = false;
    }
  });
}

/** Offers passkeys in the email field's autofill (browsers with conditional mediation). */
async function startAutofill() {
  if (!passkey) return;
  const { offerInAutofill } = await import("/assets/pages/passkey.js");
  autofill = offerInAutofill({
    client,
    onSignedIn: () => go(target),
    onError: () => say("passkey-error", PASSKEY_FAILED),
  });
}

// Already signed in (another tab, or a session that is still alive): go on — unless an
// application asked for a fresh sign-in (OAuth `prompt=login` or `max_age`), which the
// server marks on <main>: then the form is shown, and signing in makes a new session.
const reauthenticate = document.getElementById("main")?.dataset.reauthenticate === "true";
if (!handedOver && await signedInPage({ protectedPage: false }) && !reauthenticate) go(target);
else {
  // The autofill offer belongs to the password form, not to a second step handed over.
  if (!handedOver) await startAutofill();
  ready();
}
