// /sign-up: registration. The API answers the same for a new and a taken address
// (no enumeration), so the page always says "check your inbox".

import { $, client, field, go, onSubmit, ready, reveal, signedInPage } from "./common.js";

onSubmit($("sign-up-form"), "sign-up-error", async (data) => {
  const password = field(data, "password");
  if (password !== field(data, "password-repeat")) return "The two passwords are not the same.";
  await client.register({ email: field(data, "email").trim(), password });
  $("sign-up-form").hidden = true;
  reveal($("sign-up-done"));
  return undefined;
});

if (await signedInPage({ protectedPage: false })) go("/account");
else ready();
