//! Fixtures for the session flows' tests: a signed-in client, its refresh, whether
//! its access token still works.

use alloc::vec::Vec;

use crate::functions::{Api, Refresh};
use crate::http::{Method, Response};
use crate::model::audit::AuditKind;
use crate::testkit::{self, request, Client, TestEnv};

/// Refreshes `client`'s session: the answer and the audit events.
pub(crate) fn refresh(env: &TestEnv, client: &Client) -> (Response, Vec<AuditKind>) {
    let outcome = env.serve::<Refresh>(&client.refresh_request());
    let events = outcome.audit.iter().map(|event| event.event).collect();
    (outcome.response, events)
}

/// `client` after one successful refresh.
pub(crate) fn rotated(env: &TestEnv, client: &Client) -> Client {
    let (response, _) = refresh(env, client);
    Client::from_answer(&response, client.mode)
}

/// The status of `GET /api/me` with `client`'s access token.
pub(crate) fn me_status(env: &TestEnv, client: &Client) -> u16 {
    env.serve::<Api>(&client.authorize(request(Method::Get, "/api/me")))
        .response
        .status
}

/// A fresh environment with one verified user signed in in `mode`.
pub(crate) fn signed_in(mode: &'static str) -> (TestEnv, Client) {
    let env = TestEnv::new();
    let user = testkit::seed_user(&env, "grace@example.com", true);
    let client = testkit::sign_in(&env, &user.id, mode);
    (env, client)
}
