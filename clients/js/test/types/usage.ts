// A page's use of @edgeauth/client, type-checked (never run): `tsc -p clients/js/test/types`.
// The `@ts-expect-error` lines are misuses the declarations must refuse; tsc fails if
// one of them starts to compile.

import { createClient, EdgeauthError } from "../../index.js";
import type { EdgeauthClient, ErrorCode, SessionChangeEvent, User } from "../../index.js";

const client: EdgeauthClient = createClient({ baseUrl: "https://auth.example.com", refreshTimeoutMs: 5_000 });

async function signInFlow(email: string, password: string, code: () => Promise<string>): Promise<User> {
  const result = await client.signIn({ email, password });
  if (result.status === "mfa_required") {
    const done = await client.completeMfa({ mfaToken: result.mfaToken, code: await code() });
    return done.user;
  }
  const expires: Date = result.accessExpiresAt;
  void expires;
  return result.user;
}

async function protectedCall(): Promise<unknown> {
  try {
    const response = await client.fetch("/api/documents", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ title: "t", body: "b" }),
    });
    return await response.json();
  } catch (error) {
    if (error instanceof EdgeauthError) {
      const code: ErrorCode = error.code;
      const retryIn: number | null = error.retryAfter;
      return { code, requestId: error.requestId, retryIn };
    }
    throw error;
  }
}

const unsubscribe: () => void = client.onSessionChange((event: SessionChangeEvent) => {
  if (event.type === "signed_out") console.log("signed out", event.fromOtherTab);
  else console.log(event.user?.email);
});

async function notMe(token: string): Promise<number> {
  const report = await client.reportCompromise(token);
  const status: "secured" = report.status;
  void status;
  return report.sessionsRevoked;
}

async function misuses(): Promise<void> {
  // @ts-expect-error the token itself, not an object
  await client.reportCompromise({ token: "t" });
  // @ts-expect-error a code and a recovery code at once
  await client.completeMfa({ mfaToken: "t", code: "123456", recoveryCode: "abcd-efgh" });
  // @ts-expect-error the password is required
  await client.signIn({ email: "a@example.com" });
  // @ts-expect-error changePassword takes camelCase fields
  await client.changePassword({ current_password: "a", new_password: "b" });
  // @ts-expect-error the state is read-only
  client.state = { status: "signed_out", user: null, accessExpiresAt: null };
  const outcome = await client.refresh();
  // @ts-expect-error only this_tab or another_tab
  const wrong: "network" = outcome.refreshedBy;
  void wrong;
}

const user: Promise<User | null> = client.currentUser();
const session = client.currentSession().then((current) => current?.expiresAt.toISOString() ?? null);
const signedOut: Promise<void> = Promise.all([client.signOut(), client.signOutEverywhere()]).then(() => undefined);
const accepted: Promise<"accepted"> = client.register({ email: "a@example.com", password: "p" }).then((r) => r.status);
const other = [
  client.verifyEmail({ token: "t" }),
  client.forgotPassword({ email: "a@example.com" }),
  client.resetPassword({ token: "t", password: "p" }),
  client.changePassword({ currentPassword: "a", newPassword: "b" }),
];
async function passkeyFlows(password: () => Promise<string>): Promise<string[]> {
  if (!client.passkeysAvailable()) return [];
  const controller = new AbortController();
  if (await client.conditionalMediationAvailable()) {
    void client.signInWithPasskey({ mediation: "conditional", signal: controller.signal }).then((done) => done.user.email);
  }
  try {
    await client.registerPasskey({ name: "Laptop" });
  } catch (error) {
    if (!(error instanceof EdgeauthError && error.code === "reauthentication_required")) throw error;
    const recent: Date = (await client.reauthenticate({ password: await password() })).recentUntil;
    void recent;
    await client.registerPasskey();
  }
  const passkeys = await client.listPasskeys();
  const first = passkeys[0];
  if (first) {
    const renamed = await client.renamePasskey(first.id, "Phone");
    const when: Date | null = renamed.lastUsedAt;
    void when;
    await client.reauthenticateWithPasskey();
    await client.removePasskey(first.id);
  }
  const result = await client.signIn({ email: "a@example.com", password: await password() });
  if (result.status === "mfa_required") await client.completeMfaWithPasskey({ mfaToken: result.mfaToken });
  // @ts-expect-error mediation is a CredentialMediationRequirement
  await client.signInWithPasskey({ mediation: "autofill" });
  // @ts-expect-error the MFA token is required
  await client.completeMfaWithPasskey({});
  return passkeys.map((passkey) => `${passkey.name} ${passkey.backedUp} ${passkey.algorithm ?? ""}`);
}

export { signInFlow, protectedCall, unsubscribe, notMe, misuses, user, session, signedOut, accepted, other, passkeyFlows };
