//! The session epoch through whole requests: a login in flight — a password step
//! whose session is written later, or an MFA token waiting for its code — does not
//! survive a flow that ends all of the user's sessions (password reset and change,
//! `logout-all`, the admin's "revoke sessions", disable followed by enable).
//!
//! Two kinds of test. Held: the login is paused at an exact point (after its password
//! check, or just before its session is written) while the ending request runs to
//! completion. Raced: a password reset or change runs beside a login with the old
//! password on the interleaving store, starting after the login has taken `offset`
//! store steps, for every offset from "before the login" to "after it" — whatever
//! the interleaving, no session of that login may answer afterwards.

use alloc::string::{String, ToString};
use serde_json::json;

use crate::app::Outcome;
use crate::functions::{Api, Login, Refresh, Reset};
use crate::http::{Method, Request};
use crate::model::session as record;
use crate::model::user;
use crate::testkit::mfa::{self as flows, PASSWORD};
use crate::testkit::{self, request, Client, RequestExt, TestEnv};

const NEW_PASSWORD: &str = "a brand new passphrase 2026";
/// Beyond the store steps of a whole login: the last offsets start the ending request
/// after the login has finished.
const OFFSETS: usize = 24;

fn me(env: &TestEnv, client: &Client) -> u16 {
    flows::api(env, client, Method::Get, "/api/me", None)
        .response
        .status
}

fn session_status(env: &TestEnv, client: &Client) -> u16 {
    env.serve::<Refresh>(&client.authorize(request(Method::Get, "/auth/session")))
        .response
        .status
}

/// Asserts that nothing of `client`'s session answers any more.
fn assert_dead(env: &TestEnv, client: &Client, why: &str) {
    assert_eq!(me(env, client), 401, "{why}: GET /api/me");
    assert_eq!(session_status(env, client), 401, "{why}: GET /auth/session");
    let refreshed = env.serve::<Refresh>(&client.refresh_request());
    assert_eq!(refreshed.response.status, 401, "{why}: refresh");
}

/// A reset token for `email`, through the forgot route.
fn reset_token(env: &TestEnv, email: &str) -> String {
    let outcome = env.serve::<Reset>(
        &request(Method::Post, "/auth/password/forgot").json(json!({ "email": email })),
    );
    assert_eq!(outcome.response.status, 202);
    flows::token_in_mail(&outcome)
}

fn reset_request(token: &str) -> Request {
    request(Method::Post, "/auth/password/reset")
        .json(json!({"token": token, "password": NEW_PASSWORD}))
}

/// An administrator's session (seeded, `admin` role).
fn admin(env: &TestEnv) -> Client {
    let root = testkit::seed_user(env, "root@example.com", true);
    testkit::edit_user(env, &root.id, |user| user.grant_role("admin"));
    testkit::sign_in(env, &root.id, "token")
}

/// The ways to end all of a user's sessions, as one request each (and, for disable,
/// the enable that follows it and must not bring anything back).
#[derive(Debug, Clone, Copy)]
enum Ender {
    Reset,
    Change,
    LogoutAll,
    AdminRevokeAll,
    DisableThenEnable,
}

const ENDERS: [Ender; 5] = [
    Ender::Reset,
    Ender::Change,
    Ender::LogoutAll,
    Ender::AdminRevokeAll,
    Ender::DisableThenEnable,
];

/// A prepared ending request: who sends it, and the session that must survive it.
struct Prepared {
    request: Request,
    kept: Option<Client>,
    admin: Option<Client>,
}

impl Ender {
    /// Prepares the request that ends `user_id`'s sessions: sent from `session` (or a
    /// new session of the user) where it needs one, or from an admin.
    fn prepare(
        self,
        env: &TestEnv,
        email: &str,
        user_id: &str,
        session: Option<&Client>,
    ) -> Prepared {
        let other = || {
            session
                .cloned()
                .unwrap_or_else(|| flows::signed_in(env, email, "token"))
        };
        match self {
            Self::Reset => Prepared {
                request: reset_request(&reset_token(env, email)),
                kept: None,
                admin: None,
            },
            Self::Change => {
                let caller = other();
                Prepared {
                    request: caller.authorize(
                        request(Method::Post, "/auth/password/change").json(
                            json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
                        ),
                    ),
                    kept: Some(caller),
                    admin: None,
                }
            }
            Self::LogoutAll => Prepared {
                request: other().authorize(request(Method::Post, "/auth/session/logout-all")),
                kept: None,
                admin: None,
            },
            Self::AdminRevokeAll | Self::DisableThenEnable => {
                let admin = admin(env);
                let path = match self {
                    Self::AdminRevokeAll => alloc::format!("/api/admin/users/{user_id}/sessions"),
                    _ => alloc::format!("/api/admin/users/{user_id}/disable"),
                };
                let method = match self {
                    Self::AdminRevokeAll => Method::Delete,
                    _ => Method::Post,
                };
                Prepared {
                    request: admin.authorize(request(method, &path)),
                    kept: None,
                    admin: Some(admin),
                }
            }
        }
    }

    /// Sends the prepared request, as a future (to run beside a login).
    async fn send(self, env: &TestEnv, ending: &Request) -> Outcome {
        match self {
            Self::Reset | Self::Change => env.serve_async::<Reset>(ending).await,
            Self::LogoutAll => env.serve_async::<Refresh>(ending).await,
            Self::AdminRevokeAll | Self::DisableThenEnable => env.serve_async::<Api>(ending).await,
        }
    }

    /// Sends the prepared request (after `delay` yields) next to `login`, every store
    /// call yielding.
    fn race(
        self,
        env: &TestEnv,
        login: &Request,
        ending: &Request,
        delay: usize,
    ) -> (Outcome, Outcome) {
        env.interleave(true);
        let both = pollster::block_on(futures::future::join(
            env.serve_async::<Login>(login),
            async {
                testkit::yield_times(delay).await;
                self.send(env, ending).await
            },
        ));
        env.interleave(false);
        both
    }

    /// What follows the ending request (enabling the user again after a disable).
    fn finish(self, env: &TestEnv, prepared: &Prepared, user_id: &str) {
        if let (Self::DisableThenEnable, Some(admin)) = (self, &prepared.admin) {
            let path = alloc::format!("/api/admin/users/{user_id}/enable");
            let enabled = env.serve::<Api>(&admin.authorize(request(Method::Post, &path)));
            assert_eq!(enabled.response.status, 204);
        }
    }
}

fn login_request(email: &str) -> Request {
    request(Method::Post, "/auth/login")
        .json(json!({"email": email, "password": PASSWORD, "mode": "token"}))
}

fn status_of(outcome: &Outcome) -> u16 {
    outcome.response.status
}

/// Runs `ender` (a password reset or change) against a login with the old password
/// at every offset: whatever the interleaving, no session of that login answers
/// afterwards. Returns (logins that answered 200, logins refused because the epoch
/// moved during them).
fn race_every_offset(ender: Ender) -> (usize, usize) {
    let (mut answered, mut ended_in_flight) = (0, 0);
    for offset in 0..OFFSETS {
        let env = TestEnv::with_config(testkit::config(&[("RATE_LIMIT_LOGIN_PER_IP", "1000/60")]));
        let email = "racer@example.com";
        let user_id = flows::registered(&env, email);
        let prepared = ender.prepare(&env, email, &user_id, None);
        let (login, ended) = ender.race(&env, &login_request(email), &prepared.request, offset);
        let why = alloc::format!("{ender:?} at offset {offset}");
        assert_eq!(status_of(&ended), 200, "{why}");
        match status_of(&login) {
            200 => {
                answered += 1;
                let client = Client::from_answer(&login.response, "token");
                assert_dead(&env, &client, &why);
            }
            401 => {
                if sessions_ended(&login) {
                    ended_in_flight += 1;
                }
            }
            other => panic!("{why}: login answered {other}"),
        }
        if let Some(kept) = &prepared.kept {
            assert_eq!(me(&env, kept), 200, "{why}: the caller's session is kept");
        }
    }
    (answered, ended_in_flight)
}

/// Whether a login was refused because the user's epoch moved after its password check.
fn sessions_ended(login: &Outcome) -> bool {
    login
        .audit
        .iter()
        .any(|event| event.detail.get("reason").map(String::as_str) == Some("sessions_ended"))
}

#[test]
fn a_login_racing_a_password_reset_never_leaves_a_live_session_from_the_old_password() {
    let (answered, ended_in_flight) = race_every_offset(Ender::Reset);
    // The offsets cover both sides of the race: logins that finished first (their
    // session is revoked) and logins the reset overtook after their password check.
    assert!(
        answered > 0 && ended_in_flight > 0,
        "{answered} {ended_in_flight}"
    );
}

#[test]
fn a_login_racing_a_password_change_leaves_only_the_callers_session() {
    let (answered, ended_in_flight) = race_every_offset(Ender::Change);
    assert!(
        answered > 0 && ended_in_flight > 0,
        "{answered} {ended_in_flight}"
    );
}

/// A login held at `point` (a swap on a record whose name starts with it) while
/// `ender` runs to completion, then let go.
fn held_login(ender: Ender, point: &str) -> (TestEnv, Prepared, Outcome) {
    let env = TestEnv::new();
    let email = "held@example.com";
    let user_id = flows::registered(&env, email);
    let prepared = ender.prepare(&env, email, &user_id, None);
    env.hold_next_swap(point);
    let login = login_request(email);
    let (login, ended) = pollster::block_on(futures::future::join(
        env.serve_async::<Login>(&login),
        async {
            env.when_held().await;
            let ended = ender.send(&env, &prepared.request).await;
            env.release_hold();
            ended
        },
    ));
    assert!(matches!(status_of(&ended), 200 | 204), "{ender:?}");
    ender.finish(&env, &prepared, &user_id);
    (env, prepared, login)
}

#[test]
fn a_login_past_its_password_check_gets_no_session_when_all_sessions_end_meanwhile() {
    for ender in ENDERS {
        // Held at the swap that records the login on the user record: the password
        // was checked under the old epoch, the session is not written yet.
        let (env, prepared, login) = held_login(ender, user::PROFILE);
        assert_eq!(status_of(&login), 401, "{ender:?}");
        assert_eq!(
            testkit::body(&login.response)["code"],
            "invalid_credentials",
            "{ender:?}"
        );
        assert!(sessions_ended(&login), "{ender:?}");
        assert!(testkit::set_cookies(&login.response).is_empty());
        if let Some(kept) = &prepared.kept {
            assert_eq!(
                me(&env, kept),
                200,
                "{ender:?}: the caller's session is kept"
            );
        }
    }
}

#[test]
fn a_session_written_after_all_sessions_ended_is_born_dead() {
    for ender in ENDERS {
        // Held at the session's own write: the ending request lists the sessions
        // before this one exists.
        let (env, prepared, login) = held_login(ender, record::NAME_PREFIX);
        assert_eq!(status_of(&login), 200, "{ender:?}");
        let client = Client::from_answer(&login.response, "token");
        assert_dead(&env, &client, &alloc::format!("{ender:?}"));
        if let Some(kept) = &prepared.kept {
            assert_eq!(
                me(&env, kept),
                200,
                "{ender:?}: the caller's session is kept"
            );
        }
    }
}

#[test]
fn an_mfa_token_from_before_any_end_of_all_sessions_cannot_finish_the_login() {
    for ender in ENDERS {
        let env = TestEnv::new();
        let email = "mia@example.com";
        let user_id = flows::registered(&env, email);
        let enrolled = flows::signed_in(&env, email, "token");
        let (secret, _) = flows::enable_totp(&env, &enrolled);
        let mfa_token = flows::mfa_token(&env, email, "token");
        let prepared = ender.prepare(&env, email, &user_id, Some(&enrolled));
        let ended = match ender {
            Ender::Reset | Ender::Change => env.serve::<Reset>(&prepared.request),
            Ender::LogoutAll => env.serve::<Refresh>(&prepared.request),
            Ender::AdminRevokeAll | Ender::DisableThenEnable => env.serve::<Api>(&prepared.request),
        };
        assert!(matches!(status_of(&ended), 200 | 204), "{ender:?}");
        ender.finish(&env, &prepared, &user_id);

        let code = flows::code_now(&env, &secret);
        let finish = flows::second_step(&env, json!({"mfa_token": mfa_token, "code": code}));
        assert_eq!(
            status_of(&finish),
            401,
            "{ender:?}: the MFA token outlived the epoch"
        );
        assert_eq!(testkit::body(&finish.response)["code"], "unauthenticated");
        assert!(testkit::set_cookies(&finish.response).is_empty());
        assert!(testkit::body(&finish.response)
            .get("access_token")
            .is_none());

        // Signing in again from the start works (with the new password after a reset
        // or change), and the code is still good: the dead token did not spend it.
        let password = match ender {
            Ender::Reset | Ender::Change => NEW_PASSWORD,
            _ => PASSWORD,
        };
        let again = env.serve::<Login>(
            &request(Method::Post, "/auth/login")
                .json(json!({"email": email, "password": password, "mode": "token"})),
        );
        let token = testkit::body(&again.response)["mfa_token"]
            .as_str()
            .unwrap()
            .to_string();
        let finish = flows::second_step(&env, json!({"mfa_token": token, "code": code}));
        let client = Client::from_answer(&finish.response, "token");
        assert_eq!(me(&env, &client), 200, "{ender:?}");
    }
}
