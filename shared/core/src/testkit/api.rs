//! Fixtures for whole-request tests of the `api` function: a [`Kit`] (a test
//! environment whose calls persist their audit events), users by role, answers.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::app::Outcome;
#[cfg(feature = "password")]
use crate::ctx::Services;
use crate::functions::Api;
use crate::http::Method;
use crate::testkit::{self, request, Client, RequestExt, TestEnv};

/// A password the seeded accounts really have (see [`Kit::user_with_password`]).
#[cfg(feature = "password")]
pub(crate) const PASSWORD: &str = "correct horse battery staple 9";

/// A test environment plus helpers; audit events of every call are persisted.
pub(crate) struct Kit {
    pub(crate) env: TestEnv,
}

impl Kit {
    pub(crate) fn new() -> Self {
        Self {
            env: TestEnv::new(),
        }
    }

    pub(crate) fn with(overrides: &[(&str, &str)]) -> Self {
        Self {
            env: TestEnv::with_config(testkit::config(overrides)),
        }
    }

    /// A verified user with `roles` (besides `user`), signed in with a Bearer token.
    pub(crate) fn user(&self, address: &str, roles: &[&str]) -> Client {
        let record = testkit::seed_user(&self.env, address, true);
        if !roles.is_empty() {
            let roles: Vec<String> = core::iter::once("user")
                .chain(roles.iter().copied())
                .map(String::from)
                .collect();
            testkit::edit_user(&self.env, &record.id, |user| user.roles = roles);
        }
        testkit::sign_in(&self.env, &record.id, "token")
    }

    /// As [`Kit::user`], with a real password hash of [`PASSWORD`].
    #[cfg(feature = "password")]
    pub(crate) fn user_with_password(&self, address: &str, roles: &[&str]) -> Client {
        let client = self.user(address, roles);
        let config = &self.env.config;
        let hash = crate::policy::password::hash_password(
            PASSWORD,
            &config.password_hash,
            config.password_pepper.as_ref(),
            self.env.random(),
        )
        .unwrap();
        testkit::edit_user(&self.env, &client.user_id, |user| user.password_hash = hash);
        client
    }

    /// One request to the `api` function, as `client` (or anonymous).
    pub(crate) fn call(
        &self,
        client: Option<&Client>,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Outcome {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let mut req = request(method, path);
        req.query = query.to_string();
        if let Some(body) = body {
            req = req.json(body);
        }
        if let Some(client) = client {
            req = client.authorize(req);
        }
        let outcome = self.env.serve::<Api>(&req);
        pollster::block_on(crate::flows::audit::log::persist(
            &self.env,
            &self.env.config,
            &outcome.audit,
        ))
        .unwrap();
        // Keep the audit log's newest-first order strict between calls.
        self.env.clock.advance(1);
        outcome
    }

    pub(crate) fn get(&self, client: &Client, path: &str) -> Outcome {
        self.call(Some(client), Method::Get, path, None)
    }
}

/// The status and JSON body of an outcome.
pub(crate) fn answer(outcome: &Outcome) -> (u16, serde_json::Value) {
    let body = serde_json::from_slice(&outcome.response.body).unwrap_or_default();
    (outcome.response.status, body)
}

/// The problem `code` of an outcome.
pub(crate) fn code(outcome: &Outcome) -> String {
    answer(outcome).1["code"].as_str().unwrap_or("").to_string()
}
