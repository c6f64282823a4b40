// /security-alert#token=…: the "this wasn't me" link of a security notice mail. The
// token is read from the fragment and removed from the address bar at once; it lives
// in this module only. Nothing happens until the user confirms ("Yes, secure my
// account"), so a mail scanner or a link preview that opens the page secures nothing.

import { $, client, EdgeauthError, fragmentToken, onSubmit, ready, reveal, say } from "./common.js";

const token = fragmentToken();
if (token === null) {
  $("not-me-confirm").hidden = true;
  say("not-me-error", "This link is incomplete. Open the link from the mail again.");
}

/** "3 sessions were signed out." */
function sessionsLine(count) {
  if (count === 0) return "No device was signed in to the account.";
  return count === 1 ? "1 session was signed out." : `${count} sessions were signed out.`;
}

onSubmit($("not-me-form"), "not-me-error", async () => {
  let report;
  try {
    report = await client.reportCompromise(token);
  } catch (error) {
    if (error instanceof EdgeauthError && error.code === "invalid_request") {
      return "This link has expired or was already used. If someone else may still be using "
        + "your account, ask for a reset link below and choose a new password.";
    }
    throw error;
  }
  $("not-me-confirm").hidden = true;
  $("not-me-sessions").textContent = sessionsLine(report.sessionsRevoked);
  reveal($("not-me-done"));
  return undefined;
});
ready();
