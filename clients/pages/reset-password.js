// /reset-password#token=…: the landing of the reset mail. The token is read from the
// fragment and removed from the address bar at once; it lives in this module only.

import { $, client, field, fragmentToken, onSubmit, ready, reveal, say } from "./common.js";

const token = fragmentToken();
if (token === null) {
  $("reset-form").hidden = true;
  say("reset-error", "This link is incomplete. Open the link from the mail again, or ask for a new one.");
}

onSubmit($("reset-form"), "reset-error", async (data) => {
  const password = field(data, "password");
  if (password !== field(data, "password-repeat")) return "The two passwords are not the same.";
  try {
    await client.resetPassword({ token, password });
  } catch (error) {
    if (error?.code === "invalid_request" && !error.detail) {
      return "This link has expired or was already used. Ask for a new one.";
    }
    throw error;
  }
  $("reset-form").hidden = true;
  reveal($("reset-done"));
  return undefined;
});
ready();
