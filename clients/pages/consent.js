// /consent?request=<id>: an application asks for access to the account (edgeauth as an
// OAuth provider, docs/contract.md §11). The page shows what the server says about the
// waiting request — the application's name (and whether it registered itself), where
// the browser goes afterwards, the scopes and resources — and sends the user's answer.
//
// Security considerations:
// - The answer is a JSON POST through the client, with the session cookie and the CSRF
//   header: another site cannot answer for the user, and this page cannot be framed.
// - The browser then goes to `redirect_to` from the server's answer only: the client's
//   redirect URI, which the server matched against the registration. Nothing in this
//   page's URL decides where it goes. As a second line, only http(s) URLs and
//   reverse-domain app schemes are followed (never javascript:, data: or the like).
// - The request id is read from the query and must be 32 hex digits; it carries no
//   authority (deciding needs the session).

import { $, element, getJson, messageFor, onSubmit, ready, say, sendJson, signedInPage, signInAndReturn } from "./common.js";

const id = new URLSearchParams(location.search).get("request") ?? "";

/** Whether `url` may be navigated to: http(s), or a reverse-domain app scheme. */
export function isNavigable(url) {
  if (typeof url !== "string") return false;
  if (/^\/(?![/\\])/.test(url)) return true; // back to our own sign-in page
  let parsed;
  try { parsed = new URL(url); } catch { return false; }
  const scheme = parsed.protocol.slice(0, -1);
  return scheme === "https" || scheme === "http" || /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/.test(scheme);
}

async function answer(approve) {
  const result = await sendJson("POST", `/oauth/requests/${id}`, { approve });
  if (!isNavigable(result?.redirect_to)) return "The application's address cannot be opened.";
  location.assign(result.redirect_to);
  return undefined;
}

onSubmit($("consent-form"), "consent-error", () => answer(true));
$("deny").addEventListener("click", async () => {
  $("deny").disabled = true;
  say("consent-error", null);
  try {
    const problem = await answer(false);
    if (problem) say("consent-error", problem);
  } catch (error) {
    say("consent-error", messageFor(error));
  } finally {
    $("deny").disabled = false;
  }
});

async function show() {
  if (!/^[0-9a-f]{32}$/.test(id)) {
    say("consent-error", "This request is not valid. Go back to the application and start again.");
    return;
  }
  try {
    const request = await getJson(`/oauth/requests/${id}`);
    $("client-name").textContent = request.client.name;
    $("client-id").textContent = request.client.id;
    $("client-redirect").textContent = request.client.redirect_host;
    $("client-unverified").hidden = !request.client.dynamic;
    $("scopes").replaceChildren(...(request.scopes.length
      ? request.scopes.map((scope) => {
        const item = element("li");
        item.append(element("div", scope.description), element("div", scope.scope, { class: "meta" }));
        return item;
      })
      : [element("li", "Nothing beyond knowing that you allowed it.")]));
    $("resources").replaceChildren(...request.resources.map((resource) => element("li", resource)));
    $("resources-section").hidden = request.resources.length === 0;
    $("consent").hidden = false;
    $("allow").focus();
  } catch (error) {
    say("consent-error", error?.code === "not_found"
      ? "This request has expired or was already answered. Go back to the application and start again."
      : messageFor(error));
  } finally {
    $("loading").hidden = true;
  }
}

// Last, once every handler above is attached.
const session = await signedInPage({ protectedPage: true });
if (!session) signInAndReturn();
else {
  await show();
  ready();
}
