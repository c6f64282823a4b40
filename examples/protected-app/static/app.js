// The example app's one script: decides, from the edgeauth session, what a page shows.
//
// - public pages: shown to everyone; the header says who is signed in;
// - `user` pages: a visitor without a session goes to edgeauth's sign-in page, which
//   brings them back here afterwards (`return_to`, allowed by RETURN_TO_PATHS);
// - `admin` pages: a signed-in user without the `admin` role is refused.
// A sign-out in any tab reaches every tab (BroadcastChannel in @edgeauth/client): a
// protected page then leaves for the sign-in page, a public one updates its header.
// The API enforces the same rules: the data below comes from it, never from this page.

import { createClient } from "/assets/edgeauth/index.js";

const client = createClient();
const main = document.getElementById("main");
const access = main.dataset.access;
const $ = (id) => document.getElementById(id);

function signIn() {
  location.assign(`/sign-in?return_to=${encodeURIComponent(location.pathname)}`);
}

function showSignedOut() {
  $("who").textContent = "Not signed in.";
  $("sign-in").hidden = false;
  $("sign-in").href = `/sign-in?return_to=${encodeURIComponent(location.pathname)}`;
  $("sign-out").hidden = true;
}

function refuse(text) {
  $("refused").textContent = text;
  $("refused").hidden = false;
  $("content").hidden = true;
}

client.onSessionChange((event) => {
  if (event.type !== "signed_out") return;
  if (access === "public") showSignedOut();
  else signIn();
});

$("sign-out").addEventListener("click", async () => {
  await client.signOut();
  if (access === "public") showSignedOut();
});

const session = await client.currentSession().catch(() => null);
if (!session) {
  showSignedOut();
  if (access !== "public") signIn();
} else {
  $("who").textContent = `Signed in as ${session.user.email}.`;
  $("sign-out").hidden = false;
  if (access === "admin" && !session.user.roles.includes("admin")) {
    refuse("Refused: this page is for administrators.");
  } else if (access === "user") {
    const me = await (await client.fetch("/api/me")).json();
    $("me-email").textContent = me.email;
    $("me-roles").textContent = me.roles.join(", ");
    $("me").hidden = false;
    $("content").hidden = false;
  } else if (access === "admin") {
    const { users } = await (await client.fetch("/api/admin/users?limit=200")).json();
    $("user-count").textContent = `${users.length} users on the first page of the access review.`;
    $("user-count").hidden = false;
    $("content").hidden = false;
  }
}
main.dataset.ready = "true";
