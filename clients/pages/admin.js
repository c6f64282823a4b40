// /admin: users (roles, disable/enable, revoke sessions), the audit log with filters
// and paging, and the kill switch behind a confirmation. Shown to admins; auditors see
// the audit log only; anyone else is told they have no access. The API enforces the
// same rules on every call (docs/contract.md §6): hiding a section is convenience,
// never the protection.

import {
  $, element, getJson, go, humanize, messageFor, onSubmit, ready, reveal, row, say, sendJson, signedInPage,
  signInAndReturn, when,
} from "./common.js";

const ROLES = ["user", "auditor", "admin"];
const EVENTS = [
  "register", "email_verified", "login_succeeded", "login_failed", "lockout", "mfa_enabled",
  "mfa_disabled", "mfa_failed", "refresh_reuse_detected", "session_revoked", "logout",
  "password_reset_requested", "password_reset", "password_changed", "role_changed", "user_disabled",
  "user_enabled", "data_exported", "account_deleted", "consent_changed", "all_sessions_revoked",
  "document_read_by_admin", "data_keys_swept", "oauth_client_created", "oauth_client_registered",
  "oauth_client_disabled", "oauth_client_enabled", "oauth_client_deleted", "oauth_consent_granted",
  "oauth_consent_denied", "oauth_consent_revoked", "oauth_token_issued", "oauth_code_reuse_detected",
  "oauth_token_revoked", "oauth_refresh_client_mismatch",
];
const KILL_PHRASE = "SIGN OUT EVERYONE";

async function start(roles) {
  const isAdmin = roles.includes("admin");
  const isAuditor = isAdmin || roles.includes("auditor");
  $("loading").hidden = true;
  if (!isAuditor) {
    say("admin-error", "You do not have access to this page.");
    ready();
    return;
  }
  $("admin").hidden = false;
  $("audit-section").hidden = false;
  $("users-section").hidden = !isAdmin;
  $("kill-section").hidden = !isAdmin;
  $("clients-section").hidden = !isAdmin;
  for (const event of EVENTS) $("audit-event").append(element("option", humanize(event), { value: event }));
  await Promise.all([isAdmin ? loadUsers() : null, isAdmin ? loadClients() : null, loadAudit(null)]);
  ready();
}

// --- users -----------------------------------------------------------------------------

async function loadUsers() {
  say("users-error", null);
  try {
    const { users } = await getJson("/api/admin/users?limit=100");
    $("users").tBodies[0].replaceChildren(...users.map(userRow));
  } catch (error) {
    say("users-error", messageFor(error));
  }
}

function userRow(user) {
  const roles = element("div");
  for (const role of ROLES) {
    const label = element("label");
    const box = element("input", null, { type: "checkbox", value: role, "aria-label": `${role} role of ${user.email}` });
    box.checked = user.roles.includes(role);
    label.append(box, document.createTextNode(role));
    roles.append(label);
  }
  const actions = element("div");
  actions.append(
    action("Save roles", `Save roles of ${user.email}`, async () => {
      const chosen = [...roles.querySelectorAll("input:checked")].map((box) => box.value);
      await sendJson("PUT", `/api/admin/users/${encodeURIComponent(user.id)}/roles`, { roles: chosen });
      return `Roles of ${user.email} saved.`;
    }),
    user.disabled
      ? action("Enable", `Enable ${user.email}`, async () => {
        await sendJson("POST", `/api/admin/users/${encodeURIComponent(user.id)}/enable`);
        return `${user.email} is enabled.`;
      })
      : action("Disable", `Disable ${user.email}`, async () => {
        await sendJson("POST", `/api/admin/users/${encodeURIComponent(user.id)}/disable`);
        return `${user.email} is disabled and signed out everywhere.`;
      }),
    action("Sign out", `Sign out every session of ${user.email}`, async () => {
      await sendJson("DELETE", `/api/admin/users/${encodeURIComponent(user.id)}/sessions`);
      return `Every session of ${user.email} has ended.`;
    }),
  );
  const tr = row([user.email, roles, user.disabled ? "Disabled" : "Active", user.mfa_enabled ? "On" : "Off",
    when(user.last_login_at), actions]);
  tr.dataset.userId = user.id;
  return tr;
}

/** A button that runs `run`, shows its message, and reloads the list. */
function action(text, label, run) {
  const button = element("button", text, { type: "button", class: "secondary", "aria-label": label });
  button.addEventListener("click", async () => {
    button.disabled = true;
    say("users-error", null);
    $("users-done").hidden = true;
    try {
      const message = await run();
      $("users-done").textContent = message;
      $("users-done").hidden = false;
      await loadUsers();
    } catch (error) {
      button.disabled = false;
      say("users-error", messageFor(error));
    }
  });
  return button;
}

// --- applications (OAuth clients) ------------------------------------------------------

async function loadClients() {
  say("clients-error", null);
  try {
    const { clients } = await getJson("/oauth/admin/clients?limit=100");
    const body = $("clients").tBodies[0];
    body.replaceChildren(...clients.map(clientRow));
    if (clients.length === 0) body.append(row(["No applications.", "", "", "", "", ""]));
  } catch (error) {
    // A deployment without the oauth function: the section says so.
    say("clients-error", error?.code === "not_found" ? "The OAuth provider is not deployed." : messageFor(error));
  }
}

function clientRow(app) {
  const name = `${app.client_name}${app.dynamic ? " (registered itself)" : ""}`;
  const actions = element("div");
  const path = `/oauth/admin/clients/${encodeURIComponent(app.client_id)}`;
  actions.append(
    app.disabled
      ? clientAction("Enable", `Enable ${app.client_name}`, () => sendJson("POST", `${path}/enable`), `${app.client_name} is enabled.`)
      : clientAction("Disable", `Disable ${app.client_name}`, () => sendJson("POST", `${path}/disable`), `${app.client_name} is disabled.`),
    clientAction("Delete", `Delete ${app.client_name}`, () => sendJson("DELETE", path), `${app.client_name} is deleted.`),
  );
  const tr = row([name, element("code", app.client_id), app.token_endpoint_auth_method, when(app.created_at),
    app.disabled ? "Disabled" : "Active", actions]);
  tr.dataset.clientId = app.client_id;
  return tr;
}

function clientAction(text, label, run, done) {
  const button = element("button", text, { type: "button", class: "secondary", "aria-label": label });
  button.addEventListener("click", async () => {
    button.disabled = true;
    say("clients-error", null);
    $("clients-done").hidden = true;
    try {
      await run();
      $("clients-done").textContent = done;
      $("clients-done").hidden = false;
      await loadClients();
    } catch (error) {
      button.disabled = false;
      say("clients-error", messageFor(error));
    }
  });
  return button;
}

onSubmit($("client-form"), "client-form-error", async (data) => {
  $("client-created").hidden = true;
  const redirectUris = String(data.get("redirect_uris") ?? "").split(/\s+/).filter(Boolean);
  const metadata = {
    client_name: String(data.get("client_name") ?? "").trim(),
    redirect_uris: redirectUris,
    token_endpoint_auth_method: String(data.get("token_endpoint_auth_method")),
    id_token_signed_response_alg: String(data.get("id_token_signed_response_alg")),
    grant_types: $("client-refresh").checked ? ["authorization_code", "refresh_token"] : ["authorization_code"],
  };
  const response = await fetchCreate(metadata);
  if (response.error) return response.error_description ?? "The application could not be added.";
  $("client-form").reset();
  $("created-id").textContent = response.client_id;
  $("created-secret").textContent = response.client_secret ?? "";
  $("created-secret-line").hidden = !response.client_secret;
  reveal($("client-created"));
  await loadClients();
  return undefined;
});

/** Creates a client; a refusal of its metadata comes back as an OAuth error body. */
async function fetchCreate(metadata) {
  try {
    return await sendJson("POST", "/oauth/admin/clients", metadata);
  } catch (error) {
    if (error?.status === 400 && error.body) return error.body;
    throw error;
  }
}

// --- audit log -------------------------------------------------------------------------

/** The cursor of the page after the one shown (null: the last page). */
let nextCursor = null;

async function loadAudit(cursor) {
  say("audit-error", null);
  const params = new URLSearchParams();
  const user = $("audit-user").value.trim();
  if (user) params.set("user_id", user);
  if ($("audit-event").value) params.set("event", $("audit-event").value);
  params.set("limit", $("audit-limit").value);
  if (cursor) params.set("cursor", cursor);
  try {
    const page = await getJson(`/api/admin/audit?${params}`);
    const body = $("audit").tBodies[0];
    body.replaceChildren(...page.events.map((event) => row([when(event.at), humanize(event.event),
      event.actor_id, event.subject_id, event.ip_prefix, event.request_id])));
    if (page.events.length === 0) body.append(row(["No events.", "", "", "", "", ""]));
    nextCursor = page.next_cursor ?? null;
    $("audit-next").disabled = nextCursor === null;
  } catch (error) {
    say("audit-error", messageFor(error));
  }
}

onSubmit($("audit-form"), "audit-error", async () => {
  await loadAudit(null);
  return undefined;
});
$("audit-first").addEventListener("click", () => loadAudit(null));
$("audit-next").addEventListener("click", () => {
  if (nextCursor) loadAudit(nextCursor);
});

// --- kill switch -----------------------------------------------------------------------

onSubmit($("kill-form"), "kill-error", async (data) => {
  if (!$("kill-confirm").checked) return "Tick the box to confirm.";
  if (String(data.get("phrase") ?? "").trim() !== KILL_PHRASE) return `Type ${KILL_PHRASE} exactly.`;
  await sendJson("POST", "/api/admin/sessions/revoke-all");
  // Our own session ended too.
  go("/sign-in");
  return undefined;
});

// Last, once every handler above is attached.
const session = await signedInPage({ protectedPage: true });
if (!session) signInAndReturn();
else await start(session.user.roles);
