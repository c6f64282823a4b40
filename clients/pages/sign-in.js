// /sign-in: email and password, then the second factor when the account has one
// (a TOTP code, or a recovery code), then back to the validated return path.
//
// Extension point (docs/contract.md §10): when the server renders "Continue with …"
// links (flows/pages/methods.rs) they get the return path appended here; when it
// renders the passkey button, pressing it loads /assets/pages/passkey.js, a module
// the passkey feature provides, and calls its `signInWithPasskey({client, returnTo})`.

import {
  $, client, EdgeauthError, field, fragmentMfaToken, go, messageFor, onSubmit, ready, redirectError, returnTo, say,
  signedInPage,
} from "./common.js";

const target = returnTo();
let mfaToken = null;
let useRecovery = false;

function askForSecondFactor() {
  $("password-form").hidden = true;
  $("mfa-form").hidden = false;
  $("code").required = true;
  $("code").focus();
}

onSubmit($("password-form"), "password-error", async (data) => {
  const result = await client.signIn({ email: field(data, "email").trim(), password: field(data, "password") });
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
    try {
      const { signInWithPasskey } = await import("/assets/pages/passkey.js");
      await signInWithPasskey({ client, returnTo: target });
      go(target);
    } catch {
      say("passkey-error", "Signing in with a passkey did not work. Use your password instead.");
    }
  });
}

// Already signed in (another tab, or a session that is still alive): go on — unless an
// application asked for a fresh sign-in (OAuth `prompt=login` or `max_age`), which the
// server marks on <main>: then the form is shown, and signing in makes a new session.
const reauthenticate = document.getElementById("main")?.dataset.reauthenticate === "true";
if (!handedOver && await signedInPage({ protectedPage: false }) && !reauthenticate) go(target);
else ready();
