// /verify-email#token=…: the landing of the verification mail. The token is read from
// the fragment (never sent to this page's server) and removed from the address bar.

import { $, client, fragmentToken, messageFor, ready, say } from "./common.js";

const token = fragmentToken();
const status = $("verify-status");
if (token === null) {
  status.textContent = "";
  say("verify-error", "This link is incomplete. Open the link from the mail again.");
} else {
  try {
    await client.verifyEmail({ token });
    status.textContent = "Your email address is verified. You can sign in now.";
  } catch (error) {
    status.textContent = "";
    say("verify-error", error?.code === "invalid_request"
      ? "This link has expired or was already used. Sign in, or register again to get a new one."
      : messageFor(error));
  }
}
$("to-sign-in").focus();
ready();
