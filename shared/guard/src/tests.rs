//! The guard against a stand-in for edgeauth: tokens issued by edgeauth's own code
//! under a test keyring, its published key set, and an introspection that answers
//! from a table (the real route is tested in the core; the examples run the guard
//! against the built functions).

use core::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use edgeauth_core::config::{Config, Vars};
use edgeauth_core::crypto::signature::SoftwareVerifier;
use edgeauth_core::env::fake::{FakeClock, SeededRandom};
use edgeauth_core::env::Clock;
use edgeauth_core::http::{Method, Request};
use edgeauth_core::policy::csrf;
use edgeauth_core::policy::token::{self, jwks, Grant};
use edgeauth_core::ApiError;

use crate::{
    Answer, Call, Guard, GuardConfig, GuardMemory, Permission, Principal, Upstream, UpstreamError,
    Via,
};

mod authorization;
mod caching;
mod csrf_rule;
mod tokens;

pub(crate) const ORIGIN: &str = "https://auth.example.com";
pub(crate) const APP: &str = "https://app.example.com";
/// 2026-01-01T00:00:00Z.
pub(crate) const START_MS: u64 = 1_767_225_600_000;
pub(crate) const USER: &str = "0123456789abcdef0123456789abcdef";
pub(crate) const SESSION: &str = "fedcba9876543210fedcba9876543210";

pub(crate) const KEY_A: &str = "sig-a:ZVVV4f0TrU4rsRpAWk4cLk3RkBOso06T_LSpHOxSIUU";
pub(crate) const KEY_B: &str = "sig-b:OpNVg-oJ8i_iLspEsXio__A2CI-duFJGXxP1Bh-0m3c";
const DATA_KEYS: &str = "data-1:qHMKllDMn1NVFNL_Acb7sKILIFz9nBuOi8ncSknWMRQ";

struct MapVars(BTreeMap<String, String>);

impl Vars for MapVars {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

pub(crate) fn vars(pairs: &[(&str, &str)]) -> impl Vars {
    MapVars(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// edgeauth's configuration with `signing_keys` (the first signs).
pub(crate) fn edgeauth(signing_keys: &str) -> Config {
    Config::from_vars(&vars(&[
        ("ENVIRONMENT", "production"),
        ("PUBLIC_ORIGIN", ORIGIN),
        ("JWT_SIGNING_KEYS", signing_keys),
        ("DATA_ENCRYPTION_KEYS", DATA_KEYS),
        ("MAIL_TRANSPORT", "console"),
    ]))
    .unwrap()
}

/// What the stand-in knows of one session.
#[derive(Clone)]
pub(crate) struct Session {
    pub(crate) user_id: String,
    pub(crate) roles: Vec<String>,
    pub(crate) live: bool,
}

/// A stand-in for edgeauth's `refresh` function: the key set and the introspection.
pub(crate) struct Edgeauth {
    pub(crate) config: RefCell<Config>,
    pub(crate) sessions: RefCell<BTreeMap<String, Session>>,
    /// The `age_ms` it reports (a snapshot of its own).
    pub(crate) age_ms: Cell<u64>,
    pub(crate) down: Cell<bool>,
    pub(crate) rate_limited: Cell<bool>,
    /// A `sub` to answer instead of the token's (a misrouted answer).
    pub(crate) answer_sub: RefCell<Option<String>>,
    /// Every call, as `METHOD path [csrf]`.
    pub(crate) calls: RefCell<Vec<String>>,
}

impl Edgeauth {
    pub(crate) fn new() -> Self {
        let edgeauth = Self {
            config: RefCell::new(edgeauth(KEY_A)),
            sessions: RefCell::new(BTreeMap::new()),
            age_ms: Cell::new(0),
            down: Cell::new(false),
            rate_limited: Cell::new(false),
            answer_sub: RefCell::new(None),
            calls: RefCell::new(Vec::new()),
        };
        edgeauth.sessions.borrow_mut().insert(
            SESSION.into(),
            Session {
                user_id: USER.into(),
                roles: vec!["user".into()],
                live: true,
            },
        );
        edgeauth
    }

    pub(crate) fn calls(&self, path: &str) -> usize {
        self.calls
            .borrow()
            .iter()
            .filter(|call| call.contains(path))
            .count()
    }

    fn introspect(&self, token: &str, csrf_token: Option<&str>, now_ms: u64) -> Answer {
        let config = self.config.borrow();
        let problem = |status: u16, code: &str| Answer {
            status,
            body: serde_json::json!({ "code": code }).to_string().into_bytes(),
            ..Answer::default()
        };
        let Ok(verified) = pollster::block_on(token::verify(
            &config,
            &token::NoMemory,
            &SoftwareVerifier,
            token,
            now_ms,
        )) else {
            return problem(401, "unauthenticated");
        };
        let sessions = self.sessions.borrow();
        let Some(session) = sessions
            .get(&verified.session_id)
            .filter(|s| s.live && s.user_id == verified.user_id)
        else {
            return problem(401, "unauthenticated");
        };
        if self.rate_limited.get() {
            return Answer {
                retry_after: Some("7".into()),
                ..problem(429, "rate_limited")
            };
        }
        if let Some(csrf_token) = csrf_token {
            if !csrf::is_bound(
                &config.data_encryption_keys,
                &verified.session_id,
                csrf_token,
            ) {
                return problem(403, "csrf_failed");
            }
        }
        Answer {
            status: 200,
            body: serde_json::json!({
                "active": true,
                "sub": self.answer_sub.borrow().clone().unwrap_or(verified.user_id),
                "sid": verified.session_id,
                "roles": session.roles, "email_verified": true,
                "age_ms": self.age_ms.get(), "session_check": "cached",
            })
            .to_string()
            .into_bytes(),
            ..Answer::default()
        }
    }
}

/// The stand-in reached at the fixture's clock.
pub(crate) struct Link<'a> {
    pub(crate) edgeauth: &'a Edgeauth,
    pub(crate) clock: &'a FakeClock,
}

impl Upstream for Link<'_> {
    async fn call(&self, call: Call<'_>) -> Result<Answer, UpstreamError> {
        let body = call.body().unwrap_or_default();
        self.edgeauth
            .calls
            .borrow_mut()
            .push(format!("{} {} {body}", call.method(), call.path()));
        if self.edgeauth.down.get() {
            return Err(UpstreamError("unreachable"));
        }
        Ok(match call {
            Call::Jwks => Answer {
                status: 200,
                body: serde_json::to_vec(&jwks::key_set(&self.edgeauth.config.borrow()).unwrap())
                    .unwrap(),
                cache_control: Some(jwks::CACHE_CONTROL.into()),
                retry_after: None,
            },
            Call::Introspect {
                token, csrf_token, ..
            } => self
                .edgeauth
                .introspect(token, csrf_token, self.clock.now_ms()),
        })
    }
}

/// A guard, its memory (one isolate), edgeauth's stand-in and a clock.
pub(crate) struct Fixture {
    pub(crate) guard: Guard,
    pub(crate) memory: GuardMemory,
    pub(crate) edgeauth: Edgeauth,
    pub(crate) clock: FakeClock,
    random: SeededRandom,
}

impl Fixture {
    pub(crate) fn new() -> Self {
        Self::with(&[])
    }

    /// With guard variables besides `EDGEAUTH_ORIGIN`.
    pub(crate) fn with(extra: &[(&str, &str)]) -> Self {
        let mut pairs = vec![("EDGEAUTH_ORIGIN", ORIGIN)];
        pairs.extend_from_slice(extra);
        Self {
            guard: Guard::new(GuardConfig::from_vars(&vars(&pairs)).unwrap()),
            memory: GuardMemory::new(),
            edgeauth: Edgeauth::new(),
            clock: FakeClock::at(START_MS),
            random: SeededRandom::new(7),
        }
    }

    /// An access token for the test session, signed by edgeauth's active key.
    pub(crate) fn token(&self) -> String {
        self.token_for(SESSION)
    }

    pub(crate) fn token_for(&self, session_id: &str) -> String {
        let config = self.edgeauth.config.borrow();
        let roles = vec![String::from("user")];
        token::issue(
            &config,
            &self.random,
            self.clock.now_ms(),
            Grant {
                user_id: USER,
                session_id,
                roles: &roles,
                session_ends_at_secs: START_MS / 1000 + 86_400,
            },
        )
        .unwrap()
        .token
    }

    /// The session's CSRF token, as edgeauth sets it in `__Host-csrf`.
    pub(crate) fn csrf(&self) -> String {
        csrf::token_for(&self.edgeauth.config.borrow(), SESSION)
    }

    pub(crate) fn check(&self, request: &Request) -> Result<Principal, ApiError> {
        let link = Link {
            edgeauth: &self.edgeauth,
            clock: &self.clock,
        };
        pollster::block_on(self.guard.authenticate(
            request,
            &self.memory,
            &link,
            &SoftwareVerifier,
            &self.clock,
        ))
    }
}

/// A request to the guarded API.
pub(crate) fn request(method: Method) -> Request {
    Request {
        method,
        scheme: "https".into(),
        host: "auth.example.com".into(),
        port: None,
        path: "/app/notes".into(),
        query: String::new(),
        headers: Vec::new(),
        body: Vec::new(),
    }
}

pub(crate) fn with_header(mut request: Request, name: &str, value: &str) -> Request {
    request.headers.push((name.into(), value.into()));
    request
}

pub(crate) fn bearer(method: Method, token: &str) -> Request {
    with_header(request(method), "Authorization", &format!("Bearer {token}"))
}

#[test]
fn a_valid_bearer_token_of_a_live_session_yields_the_principal() {
    let fixture = Fixture::new();
    let principal = fixture
        .check(&bearer(Method::Get, &fixture.token()))
        .unwrap();
    assert_eq!(principal.user_id, USER);
    assert_eq!(principal.session_id, SESSION);
    assert_eq!(principal.roles, ["user"]);
    assert_eq!(principal.via, Via::Bearer);
    assert_eq!(principal.checked_at_ms, START_MS);
    principal.require(Permission::ProfileRead).unwrap();
}

#[test]
fn requests_without_a_usable_credential_are_unauthenticated_without_asking_edgeauth() {
    let fixture = Fixture::new();
    for request in [
        request(Method::Get),
        bearer(Method::Get, "not-a-jwt"),
        with_header(request(Method::Get), "Authorization", "Basic dXNlcjpwYXNz"),
        with_header(request(Method::Get), "Cookie", "__Host-access="),
    ] {
        assert_eq!(fixture.check(&request), Err(ApiError::Unauthenticated));
    }
    assert_eq!(fixture.edgeauth.calls("/auth/introspect"), 0);
}

#[test]
fn an_unreachable_edgeauth_fails_closed() {
    let fixture = Fixture::new();
    fixture.edgeauth.down.set(true);
    let refused = fixture.check(&bearer(Method::Get, &fixture.token()));
    assert!(
        matches!(refused, Err(ApiError::Unavailable(_))),
        "{refused:?}"
    );
    // With the key set already fetched, the session check fails closed too.
    fixture.edgeauth.down.set(false);
    let token = fixture.token();
    fixture.check(&bearer(Method::Post, &token)).unwrap();
    fixture.edgeauth.down.set(true);
    let refused = fixture.check(&bearer(Method::Post, &token));
    assert!(
        matches!(refused, Err(ApiError::Unavailable(_))),
        "{refused:?}"
    );
}

#[test]
fn the_introspection_budget_answer_is_passed_on_as_429() {
    let fixture = Fixture::new();
    fixture.edgeauth.rate_limited.set(true);
    assert_eq!(
        fixture.check(&bearer(Method::Get, &fixture.token())),
        Err(ApiError::RateLimited {
            retry_after_secs: 7
        })
    );
}

#[test]
fn an_answer_about_another_session_is_refused() {
    let fixture = Fixture::new();
    let token = fixture.token();
    // A stand-in that answers for another user (a misrouted binding, say).
    *fixture.edgeauth.answer_sub.borrow_mut() = Some("f".repeat(32));
    assert_eq!(
        fixture.check(&bearer(Method::Get, &token)),
        Err(ApiError::Unauthenticated)
    );
}
