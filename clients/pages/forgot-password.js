// /forgot-password: asks for a reset mail. The answer is the same whether or not an
// account exists for the address.

import { $, client, field, onSubmit, ready, reveal } from "./common.js";

onSubmit($("forgot-form"), "forgot-error", async (data) => {
  await client.forgotPassword({ email: field(data, "email").trim() });
  $("forgot-form").hidden = true;
  reveal($("forgot-done"));
  return undefined;
});
ready();
