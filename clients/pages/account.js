// /account: the signed-in user's security settings — profile, password, two-step
// verification (QR code drawn here, recovery codes shown once), passkeys (when on:
// add, rename, remove, with a confirmation of the user when the sign-in is older than
// five minutes), sessions, recent activity, consents, data export and account deletion. Everything goes through the
// JSON API with the client (CSRF header, refresh), which enforces every rule; this
// page only shows what it answers.

import {
  $, client, EdgeauthError, element, field, getJson, go, humanize, messageFor, onSubmit, ready, redirectError,
  reveal, row, say, sendJson, signedInPage, signInAndReturn, when,
} from "./common.js";
import { drawQr } from "./qr.js";

/** The version of the consent texts above the checkboxes (what a user agreed to). */
const CONSENT_VERSION = "2026-01";
const PURPOSES = ["product_updates", "marketing_email", "analytics"];

async function start() {
  try {
    const me = await loadProfile();
    for (const id of ["password-username", "mfa-username", "delete-username", "reauth-username"]) {
      if ($(id)) $(id).value = me.email;
    }
    showMfa(me.mfa_enabled);
    $("loading").hidden = true;
    $("account").hidden = false;
    await Promise.all([loadSessions(), loadApps(), loadActivity(), loadConsents(), loadPasskeys(), loadMethods()]);
    ready();
  } catch (error) {
    $("loading").hidden = true;
    say("account-error", messageFor(error));
  }
}

async function loadProfile() {
  const me = await getJson("/api/me");
  $("profile-email").textContent = me.email;
  $("profile-verified").textContent = me.email_verified ? "Yes" : "No";
  $("profile-roles").textContent = me.roles.join(", ");
  $("profile-mfa").textContent = me.mfa_enabled ? "On" : "Off";
  $("profile-created").textContent = when(me.created_at);
  return me;
}

// --- password ------------------------------------------------------------------------

onSubmit($("password-form"), "password-error", async (data) => {
  const newPassword = field(data, "new-password");
  if (newPassword !== field(data, "new-password-repeat")) return "The two new passwords are not the same.";
  $("password-done").hidden = true;
  await client.changePassword({ currentPassword: field(data, "current-password"), newPassword });
  $("password-form").reset();
  reveal($("password-done"));
  await loadSessions();
  return undefined;
});

// --- two-step verification -------------------------------------------------------------

function showMfa(enabled) {
  $("mfa-off").hidden = enabled;
  $("mfa-on").hidden = !enabled;
  $("mfa-setup").hidden = true;
}

$("mfa-start").addEventListener("click", async () => {
  say("mfa-confirm-error", null);
  try {
    const setup = await sendJson("POST", "/api/me/mfa/totp/setup");
    drawQr($("mfa-qr"), setup.otpauth_uri, "QR code for your authenticator app");
    $("mfa-secret").textContent = setup.secret.match(/.{1,4}/g).join(" ");
    $("mfa-off").hidden = true;
    $("mfa-setup").hidden = false;
    $("mfa-code").focus();
  } catch (error) {
    $("mfa-setup").hidden = false;
    say("mfa-confirm-error", messageFor(error));
  }
});

onSubmit($("mfa-confirm-form"), "mfa-confirm-error", async (data) => {
  const answer = await sendJson("POST", "/api/me/mfa/totp/confirm", { code: field(data, "code").replace(/\s+/g, "") });
  $("mfa-confirm-form").reset();
  $("mfa-setup").hidden = true;
  $("mfa-qr").replaceChildren();
  $("mfa-secret").textContent = "";
  const list = $("recovery-codes");
  list.replaceChildren(...answer.recovery_codes.map((code) => element("li", code)));
  reveal($("mfa-recovery"));
  await loadProfile();
  return undefined;
});

$("recovery-download").addEventListener("click", () => {
  const codes = [...$("recovery-codes").children].map((item) => item.textContent);
  download(`${codes.join("\n")}\n`, "text/plain", "recovery-codes.txt");
});

$("recovery-done").addEventListener("click", () => {
  // Shown once: gone from the page as soon as the user says they are saved.
  $("recovery-codes").replaceChildren();
  $("mfa-recovery").hidden = true;
  showMfa(true);
  $("mfa-title").focus();
});

onSubmit($("mfa-disable-form"), "mfa-disable-error", async (data) => {
  await sendJson("DELETE", "/api/me/mfa/totp", { password: field(data, "mfa-password") });
  $("mfa-disable-form").reset();
  showMfa(false);
  await loadProfile();
  $("mfa-start").focus();
  return undefined;
});

// --- passkeys --------------------------------------------------------------------------

const passkeysSection = $("passkeys-section");
/** What to do once the user has confirmed who they are (adding or removing a passkey). */
let afterReauth = null;

async function loadPasskeys() {
  if (!passkeysSection) return;
  say("passkeys-error", null);
  try {
    const passkeys = await client.listPasskeys();
    $("passkeys").replaceChildren(...passkeys.map(passkeyItem));
    $("passkeys-empty").hidden = passkeys.length > 0;
  } catch (error) {
    say("passkeys-error", messageFor(error));
  }
}

function passkeyItem(passkey) {
  const item = element("li");
  item.dataset.passkeyId = passkey.id;
  const text = element("div");
  text.append(element("div", passkey.name, { class: "passkey-name" }));
  const synced = passkey.backedUp ? "synced" : passkey.backupEligible ? "can sync, not synced yet" : "this device only";
  const meta = `Added ${when(passkey.createdAt)} · last used ${passkey.lastUsedAt ? when(passkey.lastUsedAt) : "never"} · ${synced}`;
  text.append(element("div", meta, { class: "meta" }));
  if (passkey.counterRegressedAt) {
    text.append(element("div", `Warning: on ${when(passkey.counterRegressedAt)} this passkey was used by what looks like a copy of it. Remove it if you did not expect that.`, { class: "error" }));
  }
  item.append(text);
  const rename = element("button", "Rename", { type: "button", class: "secondary" });
  rename.setAttribute("aria-label", `Rename passkey ${passkey.name}`);
  rename.addEventListener("click", () => item.replaceChildren(renameForm(passkey)));
  const remove = element("button", "Remove", { type: "button", class: "danger" });
  remove.setAttribute("aria-label", `Remove passkey ${passkey.name}`);
  remove.addEventListener("click", () => withRecentSignIn(async () => {
    await client.removePasskey(passkey.id);
    done(`The passkey "${passkey.name}" was removed.`);
  }));
  item.append(rename, remove);
  return item;
}

function renameForm(passkey) {
  const form = element("form", null, { method: "post", action: "/account", class: "inline" });
  const label = element("label", "New name", { for: `rename-${passkey.id}` });
  const input = element("input", null, { id: `rename-${passkey.id}`, name: "name", type: "text", maxlength: "64", required: "", autocomplete: "off" });
  input.value = passkey.name;
  const save = element("button", "Save", { type: "submit", class: "primary" });
  const cancel = element("button", "Cancel", { type: "button", class: "link" });
  cancel.addEventListener("click", () => loadPasskeys());
  form.append(label, input, save, cancel);
  onSubmit(form, "passkeys-error", async (data) => {
    await client.renamePasskey(passkey.id, field(data, "name").trim());
    await loadPasskeys();
    return undefined;
  });
  queueMicrotask(() => input.focus());
  return form;
}

/** Shows a success notice and reloads the list and the activity. */
async function done(message) {
  await loadPasskeys();
  $("passkeys-done").textContent = message;
  reveal($("passkeys-done"));
  await loadActivity();
}

/**
 * Runs `action`; when the API answers `reauthentication_required`, asks the user to
 * confirm who they are (password or passkey) and runs it again afterwards.
 */
async function withRecentSignIn(action) {
  say("passkeys-error", null);
  $("passkeys-done").hidden = true;
  try {
    await action();
  } catch (error) {
    if (error?.code === "reauthentication_required") {
      afterReauth = action;
      $("reauth-form").hidden = false;
      $("passkey-add-form").hidden = true;
      $("reauth-password").focus();
      return;
    }
    say("passkeys-error", error?.name === "NotAllowedError" ? "The passkey prompt was closed; nothing changed." : messageFor(error));
  }
}

function closeReauth() {
  afterReauth = null;
  $("reauth-form").reset();
  $("reauth-form").hidden = true;
  $("passkey-add-form").hidden = false;
}

async function confirmed() {
  const action = afterReauth;
  closeReauth();
  if (action) await withRecentSignIn(action);
}

if (passkeysSection) {
  onSubmit($("passkey-add-form"), "passkeys-error", async (data) => {
    const name = field(data, "passkey-name").trim();
    await withRecentSignIn(async () => {
      const passkey = await client.registerPasskey({ name: name || undefined });
      $("passkey-add-form").reset();
      await done(`The passkey "${passkey.name}" was added. You can now sign in with it.`);
    });
    return undefined;
  });
  onSubmit($("reauth-form"), "reauth-error", async (data) => {
    const password = field(data, "reauth-password");
    if (!password) return "Enter your password, or use a passkey.";
    await client.reauthenticate({ password });
    await confirmed();
    return undefined;
  });
  $("reauth-passkey").addEventListener("click", async () => {
    say("reauth-error", null);
    try {
      await client.reauthenticateWithPasskey();
      await confirmed();
    } catch (error) {
      say("reauth-error", error?.code === "invalid_request" ? "You have no passkey yet: use your password."
        : error?.code === "invalid_credentials" ? "That passkey did not work." : error?.name === "NotAllowedError" ? "No passkey was chosen." : messageFor(error));
    }
  });
  $("reauth-cancel").addEventListener("click", () => {
    closeReauth();
    $("passkeys-title").focus();
  });
}

// --- sign-in methods ---------------------------------------------------------------------
// Linked provider accounts (unlink; the API refuses to remove the last method) and the
// providers that can be linked: `POST /auth/oauth/{provider}/link` answers the provider's
// URL, and the browser goes there; it comes back here with `?linked=` or `?error=`.

async function loadMethods() {
  say("methods-error", null);
  const { identities, providers, password_set: passwordSet } = await getJson("/api/me/identities");
  $("methods-password").textContent = passwordSet
    ? "You can sign in with your password."
    : `No password is set: you sign in with ${passkeysSection ? "a provider or a passkey" : "a provider"}. To add a password, use “Forgot your password?” on the sign-in page.`;
  $("identities").replaceChildren(...identities.map(identityItem));
  const linked = new Set(identities.map((identity) => identity.provider));
  $("link-providers").replaceChildren(...providers.filter((provider) => !linked.has(provider.id)).map(linkButton));
}

function identityItem(identity) {
  const item = element("li");
  item.dataset.provider = identity.provider;
  const text = element("div");
  text.append(element("div", identity.label));
  text.append(element("div", `${identity.email ?? "No email address"} · linked ${when(identity.linked_at)}`, { class: "meta" }));
  item.append(text);
  const button = element("button", "Unlink", { type: "button", class: "secondary" });
  button.setAttribute("aria-label", `Unlink ${identity.label}`);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await sendJson("DELETE", `/api/me/identities/${encodeURIComponent(identity.provider)}`);
      await loadMethods();
      $("methods-title").focus();
    } catch (error) {
      button.disabled = false;
      say("methods-error", messageFor(error));
    }
  });
  item.append(button);
  return item;
}

function linkButton(provider) {
  const button = element("button", `Link ${provider.label}`, { type: "button", class: "secondary provider", "data-provider": provider.id });
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const { authorization_url: url } = await sendJson("POST", `/auth/oauth/${encodeURIComponent(provider.id)}/link`);
      location.assign(url);
    } catch (error) {
      button.disabled = false;
      say("methods-error", messageFor(error));
    }
  });
  return button;
}

const linkedNow = new URLSearchParams(location.search).get("linked");
const linkError = redirectError();
if (linkError) say("methods-error", messageFor(new EdgeauthError({ status: 400, code: linkError, title: "Linking failed" })));
else if (linkedNow && /^[a-z0-9]{1,24}$/.test(linkedNow)) {
  $("methods-done").textContent = "The account was linked.";
  $("methods-done").hidden = false;
}

// --- sessions --------------------------------------------------------------------------

async function loadSessions() {
  say("sessions-error", null);
  try {
    const sessions = await client.listSessions();
    $("sessions").replaceChildren(...sessions.map(sessionItem));
  } catch (error) {
    say("sessions-error", messageFor(error));
  }
}

function sessionItem(session) {
  const item = element("li");
  item.dataset.sessionId = session.id;
  const text = element("div");
  text.append(element("div", session.userAgent ?? "Unknown device"));
  const meta = `Signed in ${when(session.createdAt)} · last used ${when(session.lastUsedAt)}${session.ipPrefix ? ` · ${session.ipPrefix}` : ""}`;
  text.append(element("div", meta, { class: "meta" }));
  item.append(text);
  if (session.current) {
    item.append(element("span", "This browser", { class: "tag" }));
  } else {
    const button = element("button", "Sign out", { type: "button", class: "secondary" });
    button.setAttribute("aria-label", `Sign out ${session.userAgent ?? "unknown device"}, signed in ${when(session.createdAt)}`);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await client.revokeSession(session.id);
        await loadSessions();
        $("sessions-title").focus();
      } catch (error) {
        button.disabled = false;
        say("sessions-error", messageFor(error));
      }
    });
    item.append(button);
  }
  return item;
}
$("sessions-title").setAttribute("tabindex", "-1");

$("sign-out-everywhere").addEventListener("click", async () => {
  try {
    await client.signOutEverywhere();
    go("/sign-in");
  } catch (error) {
    say("sessions-error", messageFor(error));
  }
});

// --- connected apps (OAuth clients the user allowed) -----------------------------------

async function loadApps() {
  say("apps-error", null);
  try {
    const { consents } = await getJson("/oauth/consents");
    $("apps").replaceChildren(...consents.map(appItem));
    $("apps-empty").hidden = consents.length > 0;
  } catch (error) {
    // A deployment without the oauth function answers 404: no apps to show.
    if (error?.code === "not_found") $("apps-empty").hidden = false;
    else say("apps-error", messageFor(error));
  }
}

function appItem(app) {
  const item = element("li");
  item.dataset.clientId = app.client_id;
  const text = element("div");
  text.append(element("div", app.client_name));
  const scopes = app.scopes.length ? app.scopes.join(", ") : "no scopes";
  text.append(element("div", `Allowed ${when(app.granted_at)} · ${scopes}${app.resources.length ? ` · ${app.resources.join(", ")}` : ""}`, { class: "meta" }));
  item.append(text);
  const button = element("button", "Remove access", { type: "button", class: "secondary" });
  button.setAttribute("aria-label", `Remove the access of ${app.client_name}`);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await sendJson("DELETE", `/oauth/consents/${encodeURIComponent(app.client_id)}`);
      await loadApps();
      $("apps-title").focus();
    } catch (error) {
      button.disabled = false;
      say("apps-error", messageFor(error));
    }
  });
  item.append(button);
  return item;
}
$("apps-title").setAttribute("tabindex", "-1");

// --- activity --------------------------------------------------------------------------

async function loadActivity() {
  const { events } = await getJson("/api/me/activity?limit=20");
  const body = $("activity").tBodies[0];
  body.replaceChildren(...events.map((event) => row([when(event.at), humanize(event.event), event.ip_prefix, event.user_agent])));
  if (events.length === 0) body.append(row(["No activity yet.", "", "", ""]));
}

// --- consents --------------------------------------------------------------------------

async function loadConsents() {
  const { consents } = await getJson("/api/me/consents");
  for (const purpose of PURPOSES) $(`consent-${purpose}`).checked = consents?.[purpose]?.granted === true;
}

onSubmit($("consents-form"), "consents-error", async () => {
  $("consents-done").hidden = true;
  const consents = Object.fromEntries(PURPOSES.map((purpose) => [purpose,
    { granted: $(`consent-${purpose}`).checked, version: CONSENT_VERSION }]));
  await sendJson("PUT", "/api/me/consents", { consents });
  reveal($("consents-done"));
  await loadActivity();
  return undefined;
});

// --- export ----------------------------------------------------------------------------

$("export").addEventListener("click", async () => {
  say("export-error", null);
  try {
    const response = await client.fetch("/api/me/export", { headers: { Accept: "application/json" } });
    const name = /filename="?([\w.-]+)"?/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "my-data.json";
    download(await response.text(), "application/json", name);
  } catch (error) {
    say("export-error", messageFor(error));
  }
});

/** Saves `text` as a file: a Blob URL on a temporary link (no HTML, nothing sent). */
function download(text, type, name) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = element("a", null, { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// --- deletion --------------------------------------------------------------------------

onSubmit($("delete-form"), "delete-error", async (data) => {
  if (!$("delete-confirm").checked) return "Tick the box to confirm.";
  await sendJson("DELETE", "/api/me", { password: field(data, "delete-password") });
  // Every session ended with the account; this tells the other tabs too.
  await client.signOut().catch(() => undefined);
  go("/sign-in");
  return undefined;
});

// Last, once every handler above is attached.
const session = await signedInPage({ protectedPage: true });
if (!session) signInAndReturn();
else await start();
