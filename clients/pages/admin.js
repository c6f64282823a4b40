// /admin: users (roles, disable/enable, revoke sessions), the audit log with filters
// and paging, and the kill switch behind a confirmation. Shown to admins; auditors see
// the audit log only; anyone else is told they have no access. The API enforces the
// same rules on every call (docs/contract.md §6): hiding a section is convenience,
// never the protection.

import {
  $, element, getJson, go, humanize, messageFor, onSubmit, ready, row, say, sendJson, signedInPage,
  signInAndReturn, when,
} from "./common.js";

const ROLES = ["user", "auditor", "admin"];
const EVENTS = [
  "register", "email_verified", "login_succeeded", "login_failed", "lockout", "mfa_enabled",
  "mfa_disabled", "mfa_failed", "refresh_reuse_detected", "session_revoked", "logout",
  "password_reset_requested", "password_reset", "password_changed", "role_changed", "user_disabled",
  "user_enabled", "data_exported", "account_deleted", "consent_changed", "all_sessions_revoked",
  "document_read_by_admin", "data_keys_swept", "retention_swept",
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
  for (const event of EVENTS) $("audit-event").append(element("option", humanize(event), { value: event }));
  await Promise.all([isAdmin ? loadUsers() : null, loadAudit(null)]);
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
