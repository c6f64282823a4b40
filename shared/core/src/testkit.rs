//! The test fixtures of the core, in one place: a production-like [`Config`],
//! [`Services`] over the in-memory store with a fake clock and seeded randomness, an
//! isolate's memory, a request builder, and whole-request helpers that run through
//! [`app::serve`] so the HTTP layer is always included; [`api`], [`sessions`] and
//! [`mfa`] add the helpers of those flows' tests.
//!
//! The atomic store can be switched to *yield once before every operation*
//! ([`TestEnv::interleave`]): with `futures::future::join_all`, concurrent flows then
//! interleave at every store call, as requests do on a real Durable Object, instead
//! of each running to completion in turn. It can also hold one request at a chosen
//! compare-and-swap while another request runs to completion
//! ([`TestEnv::hold_next_swap`]): a request "in flight" at an exact point.

pub(crate) mod api;
pub(crate) mod http;
#[cfg(feature = "password-policy")]
pub(crate) mod mfa;
pub(crate) mod oauth_provider;
pub(crate) mod output;
#[cfg(all(feature = "passkeys", feature = "password-policy"))]
pub(crate) mod passkeys;
pub(crate) mod sessions;
// Used by the tests of the password flows (register, forgot), hence the feature.
#[cfg(feature = "password-policy")]
pub(crate) mod trace;

use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::Cell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use crate::app::{self, Function, Outcome};
use crate::config::{Config, Vars};
use crate::ctx::Services;
use crate::env::fake::{FakeClock, SeededRandom};
use crate::http::{Method, Request, Response};
use crate::store::memory::MemoryStore;
use crate::store::{AtomicKey, AtomicStore, StoreError};
#[cfg(feature = "password-policy")]
use trace::{Trace, Traced};

/// The public origin of the test configuration.
pub(crate) const ORIGIN: &str = "https://app.example.com";
/// An allowlisted origin.
pub(crate) const ALLOWED: &str = "https://admin.example.com";
/// Two signing keys: `sig-2` is active.
pub(crate) const SIGNING_KEYS: &str = "sig-2:ZVVV4f0TrU4rsRpAWk4cLk3RkBOso06T_LSpHOxSIUU,\
     sig-1:OpNVg-oJ8i_iLspEsXio__A2CI-duFJGXxP1Bh-0m3c";
/// Two data keys: `data-2` is active.
pub(crate) const DATA_KEYS: &str = "data-2:qHMKllDMn1NVFNL_Acb7sKILIFz9nBuOi8ncSknWMRQ,\
     data-1:7rpAkmsWGjVxwmG0gHkb4PsVjAMLiezd_Ys3xF3wobA";
/// Test start: 2026-01-01T00:00:00Z.
pub(crate) const START_MS: u64 = 1_767_225_600_000;

struct MapVars(BTreeMap<String, String>);

impl Vars for MapVars {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// A production configuration with `overrides` applied (the cheapest argon2
/// parameters the configuration accepts, to keep debug-build tests fast).
pub(crate) fn config(overrides: &[(&str, &str)]) -> Config {
    try_config(overrides).unwrap()
}

/// [`config`], or the error the configuration is refused with.
pub(crate) fn try_config(overrides: &[(&str, &str)]) -> Result<Config, crate::ConfigError> {
    let mut vars: BTreeMap<String, String> = [
        ("ENVIRONMENT", "production"),
        ("PUBLIC_ORIGIN", ORIGIN),
        ("ALLOWED_ORIGINS", ALLOWED),
        ("JWT_SIGNING_KEYS", SIGNING_KEYS),
        ("DATA_ENCRYPTION_KEYS", DATA_KEYS),
        ("MAIL_TRANSPORT", "console"),
        ("PASSWORD_HASH_MEMORY_KIB", "7168"),
        ("PASSWORD_HASH_ITERATIONS", "5"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (name, value) in overrides {
        vars.insert(name.to_string(), value.to_string());
    }
    Config::from_vars(&MapVars(vars))
}

/// Test RSA signing keys (`OIDC_RSA_SIGNING_KEYS` form) from the primitives' vectors:
/// `rsa-a` (2048 bits), then `rsa-b` (3072 bits).
pub(crate) fn rsa_keys() -> String {
    let file: serde_json::Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../primitives/tests/vectors/rsa-signing.json"
    )))
    .unwrap();
    let keys = file["vectors"].as_array().unwrap();
    alloc::format!(
        "rsa-a:{},rsa-b:{}",
        keys[0]["pkcs8"].as_str().unwrap(),
        keys[1]["pkcs8"].as_str().unwrap()
    )
}

/// An atomic store that can yield once before each operation, and hold one
/// compare-and-swap until the test releases it ([`TestEnv::hold_next_swap`]).
pub(crate) struct InterleavingStore {
    inner: Rc<MemoryStore<FakeClock>>,
    interleave: Cell<bool>,
    lost_swaps: Cell<u32>,
    hold: core::cell::RefCell<Option<String>>,
    holding: Cell<bool>,
    released: Cell<bool>,
}

struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Yields `times` times before finishing: started beside another request under
/// [`TestEnv::interleave`], it lets that request take `times` store steps first.
// Used by the flow tests that need the password features.
#[cfg_attr(not(feature = "password-policy"), allow(dead_code))]
pub(crate) async fn yield_times(times: usize) {
    for _ in 0..times {
        YieldOnce(false).await;
    }
}

impl InterleavingStore {
    async fn pause(&self) {
        if self.interleave.get() {
            YieldOnce(false).await;
        }
    }
}

impl AtomicStore for InterleavingStore {
    async fn get(&self, key: AtomicKey<'_>) -> Result<Option<String>, StoreError> {
        self.pause().await;
        AtomicStore::get(&*self.inner, key).await
    }
    async fn compare_and_swap(
        &self,
        key: AtomicKey<'_>,
        expected: Option<&str>,
        new: Option<&str>,
        expires_at_ms: Option<u64>,
    ) -> Result<bool, StoreError> {
        self.pause().await;
        let held = self
            .hold
            .borrow()
            .as_deref()
            .is_some_and(|prefix| key.name.starts_with(prefix));
        if held {
            self.hold.replace(None);
            self.holding.set(true);
            while !self.released.get() {
                YieldOnce(false).await;
            }
            self.holding.set(false);
        }
        let swapped = self
            .inner
            .compare_and_swap(key, expected, new, expires_at_ms)
            .await?;
        if !swapped {
            self.lost_swaps.set(self.lost_swaps.get() + 1);
        }
        Ok(swapped)
    }
    async fn increment(
        &self,
        key: AtomicKey<'_>,
        delta: u64,
        expires_at_ms: u64,
    ) -> Result<u64, StoreError> {
        self.pause().await;
        self.inner.increment(key, delta, expires_at_ms).await
    }
    async fn list(&self, shard: &str, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        self.pause().await;
        AtomicStore::list(&*self.inner, shard, prefix).await
    }
}

/// Config, isolate memory and services for one test (one test environment stands
/// in for one isolate).
pub(crate) struct TestEnv {
    pub(crate) config: Config,
    pub(crate) memory: crate::memory::IsolateMemory,
    pub(crate) clock: Rc<FakeClock>,
    pub(crate) store: Rc<MemoryStore<FakeClock>>,
    atomic: Rc<InterleavingStore>,
    random: Rc<SeededRandom>,
    /// Outbound HTTP: a programmable fake ([`http::FakeHttp`]).
    pub(crate) http: Rc<http::FakeHttp>,
}

impl Services for TestEnv {
    type Records = MemoryStore<FakeClock>;
    type Atomic = InterleavingStore;
    type Clock = FakeClock;
    type Random = SeededRandom;
    type Signatures = crate::crypto::signature::SoftwareVerifier;
    type Http = http::FakeHttp;
    fn records(&self) -> &Self::Records {
        &self.store
    }
    fn atomic(&self) -> &Self::Atomic {
        &self.atomic
    }
    fn clock(&self) -> &Self::Clock {
        &self.clock
    }
    fn random(&self) -> &Self::Random {
        &self.random
    }
    fn signatures(&self) -> &Self::Signatures {
        &crate::crypto::signature::SoftwareVerifier
    }
    fn http(&self) -> &Self::Http {
        &self.http
    }
}

impl TestEnv {
    /// The atomic store, for tests below the request context (which do not name
    /// [`Services`]).
    pub(crate) fn atomic_store(&self) -> &InterleavingStore {
        &self.atomic
    }

    /// The random source, likewise.
    pub(crate) fn random_source(&self) -> &SeededRandom {
        &self.random
    }

    /// A fresh environment with the default test configuration.
    pub(crate) fn new() -> Self {
        Self::with_config(config(&[]))
    }

    /// A fresh environment with `config`.
    pub(crate) fn with_config(config: Config) -> Self {
        let clock = Rc::new(FakeClock::at(START_MS));
        let store = Rc::new(MemoryStore::new(clock.clone()));
        Self {
            config,
            memory: crate::memory::IsolateMemory::new(),
            atomic: Rc::new(InterleavingStore {
                inner: store.clone(),
                interleave: Cell::new(false),
                lost_swaps: Cell::new(0),
                hold: core::cell::RefCell::new(None),
                holding: Cell::new(false),
                released: Cell::new(false),
            }),
            clock,
            store,
            random: Rc::new(SeededRandom::new(0x5EED)),
            http: Rc::new(http::FakeHttp::default()),
        }
    }

    /// Makes every atomic-store call yield once first (for concurrency tests).
    pub(crate) fn interleave(&self, on: bool) {
        self.atomic.interleave.set(on);
    }

    /// Holds the next compare-and-swap on a record whose name starts with `prefix`
    /// (before it reads the value) until [`Self::release_hold`]: a request paused
    /// mid-flow while another one runs ([`Self::when_held`]).
    #[cfg_attr(not(feature = "password-policy"), allow(dead_code))]
    pub(crate) fn hold_next_swap(&self, prefix: &str) {
        self.atomic.hold.replace(Some(prefix.into()));
        self.atomic.released.set(false);
    }

    /// Waits until a request is held at the swap [`Self::hold_next_swap`] named.
    #[cfg_attr(not(feature = "password-policy"), allow(dead_code))]
    pub(crate) async fn when_held(&self) {
        while !self.atomic.holding.get() {
            YieldOnce(false).await;
        }
    }

    /// Lets the held swap go on.
    #[cfg_attr(not(feature = "password-policy"), allow(dead_code))]
    pub(crate) fn release_hold(&self) {
        self.atomic.released.set(true);
    }

    /// How many compare-and-swaps found the value changed (lost a race) so far.
    pub(crate) fn lost_swaps(&self) -> u32 {
        self.atomic.lost_swaps.get()
    }

    /// Moves the clock forward.
    pub(crate) fn advance_secs(&self, secs: u64) {
        self.clock.advance(secs * 1000);
    }

    /// Runs one request through the whole pipeline of function `F`.
    pub(crate) async fn serve_async<F: Function>(&self, request: &Request) -> Outcome {
        app::serve::<F, _>(Ok(&self.config), &self.memory, self, request).await
    }

    /// Runs one request to completion.
    pub(crate) fn serve<F: Function>(&self, request: &Request) -> Outcome {
        pollster::block_on(self.serve_async::<F>(request))
    }
}

/// The full access-token check (no memory, the software verifier), as a sync call.
pub(crate) fn full_check(
    config: &Config,
    token: &str,
    now_ms: u64,
) -> Result<crate::policy::token::VerifiedAccessToken, crate::policy::token::TokenError> {
    pollster::block_on(crate::policy::token::verify(
        config,
        &crate::policy::token::NoMemory,
        &crate::crypto::signature::SoftwareVerifier,
        token,
        now_ms,
    ))
}

/// [`TestEnv`]'s services with every store operation recorded ([`trace`]): for tests
/// that compare what two request paths do to the stores.
#[cfg(feature = "password-policy")]
pub(crate) struct Recording<'a> {
    env: &'a TestEnv,
    services: Recorded,
}

/// The recorded services themselves (the same stores, clock and random source as the
/// environment's, shared).
#[cfg(feature = "password-policy")]
pub(crate) struct Recorded {
    trace: Rc<Trace>,
    records: Traced<MemoryStore<FakeClock>>,
    atomic: Traced<InterleavingStore>,
    clock: Rc<FakeClock>,
    random: Rc<SeededRandom>,
    http: Rc<http::FakeHttp>,
}

#[cfg(feature = "password-policy")]
impl Services for Recorded {
    type Records = Traced<MemoryStore<FakeClock>>;
    type Atomic = Traced<InterleavingStore>;
    type Clock = FakeClock;
    type Random = SeededRandom;
    type Signatures = crate::crypto::signature::SoftwareVerifier;
    type Http = http::FakeHttp;
    fn records(&self) -> &Self::Records {
        &self.records
    }
    fn atomic(&self) -> &Self::Atomic {
        &self.atomic
    }
    fn clock(&self) -> &Self::Clock {
        &self.clock
    }
    fn random(&self) -> &Self::Random {
        &self.random
    }
    fn signatures(&self) -> &Self::Signatures {
        &crate::crypto::signature::SoftwareVerifier
    }
    fn http(&self) -> &Self::Http {
        &self.http
    }
}

#[cfg(feature = "password-policy")]
impl Recording<'_> {
    /// Runs one request through function `F` and then persists its audit events as
    /// an adapter would; returns the outcome and every store operation of both.
    pub(crate) fn serve<F: Function>(&self, request: &Request) -> (Outcome, Vec<String>) {
        let services = &self.services;
        let outcome = pollster::block_on(app::serve::<F, _>(
            Ok(&self.env.config),
            &self.env.memory,
            services,
            request,
        ));
        pollster::block_on(crate::flows::audit::log::persist(
            services,
            &self.env.config,
            &outcome.audit,
        ))
        .unwrap();
        (outcome, services.trace.take())
    }
}

#[cfg(feature = "password-policy")]
impl TestEnv {
    /// These services with every store operation recorded; ids are numbered afresh.
    pub(crate) fn recording(&self) -> Recording<'_> {
        let trace = Rc::new(Trace::default());
        Recording {
            env: self,
            services: Recorded {
                records: Traced::new(self.store.clone(), trace.clone()),
                atomic: Traced::new(self.atomic.clone(), trace.clone()),
                clock: self.clock.clone(),
                random: self.random.clone(),
                http: self.http.clone(),
                trace,
            },
        }
    }
}

/// A request from a browser-like client at 203.0.113.9.
pub(crate) fn request(method: Method, path: &str) -> Request {
    Request {
        method,
        scheme: "https".into(),
        host: "app.example.com".into(),
        port: None,
        path: path.into(),
        query: String::new(),
        headers: alloc::vec![
            ("CF-Connecting-IP".into(), "203.0.113.9".into()),
            ("User-Agent".into(), "TestBrowser/1.0".into()),
        ],
        body: Vec::new(),
    }
}

/// `request` with its client address replaced (or removed, for `None`).
pub(crate) fn from_ip(mut request: Request, ip: Option<&str>) -> Request {
    request
        .headers
        .retain(|(name, _)| !name.eq_ignore_ascii_case("cf-connecting-ip"));
    if let Some(ip) = ip {
        request.headers.push(("CF-Connecting-IP".into(), ip.into()));
    }
    request
}

/// Builder methods on [`Request`].
pub(crate) trait RequestExt: Sized {
    /// Adds a header.
    fn header(self, name: &str, value: &str) -> Self;
    /// Sets a JSON body with its content type.
    fn json(self, value: serde_json::Value) -> Self;
    /// Adds a `Cookie` header with these pairs.
    fn cookies(self, pairs: &[(&str, &str)]) -> Self;
}

impl RequestExt for Request {
    fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    fn json(mut self, value: serde_json::Value) -> Self {
        self.body = serde_json::to_vec(&value).unwrap();
        self.header("Content-Type", "application/json")
    }
    fn cookies(self, pairs: &[(&str, &str)]) -> Self {
        let value: Vec<String> = pairs
            .iter()
            .map(|(k, v)| alloc::format!("{k}={v}"))
            .collect();
        self.header("Cookie", &value.join("; "))
    }
}

/// The JSON body of a response.
pub(crate) fn body(response: &Response) -> serde_json::Value {
    serde_json::from_slice(&response.body).unwrap()
}

/// Every `Set-Cookie` value of a response.
pub(crate) fn set_cookies(response: &Response) -> Vec<&str> {
    response
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, value)| value.as_str())
        .collect()
}

/// The value a response sets for cookie `name`.
pub(crate) fn cookie_value(response: &Response, name: &str) -> Option<String> {
    set_cookies(response).into_iter().find_map(|line| {
        let (pair, _) = line.split_once(';').unwrap_or((line, ""));
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| value.to_string())
    })
}

/// Writes a user straight into the store (no password flow): verified or not.
pub(crate) fn seed_user(
    env: &TestEnv,
    address: &str,
    verified: bool,
) -> crate::model::user::UserRecord {
    use crate::model::{email, user};
    let address = email::normalize(address).unwrap();
    let id = user::new_id(&*env.random).unwrap();
    let record = user::UserRecord {
        email: email::store_email(&env.config, &*env.random, &id, &address).unwrap(),
        id,
        email_verified: verified,
        password_hash: "$seeded$not-a-hash".into(),
        roles: alloc::vec![user::ROLE_USER.to_string()],
        disabled: false,
        mfa_enabled: false,
        mfa: Default::default(),
        created_at_ms: crate::Clock::now_ms(&*env.clock),
        last_login_at_ms: None,
        known_devices: Vec::new(),
        known_countries: Vec::new(),
        session_epoch: 0,
        session_epoch_keeps: None,
        identities: alloc::vec::Vec::new(),
        other: BTreeMap::new(),
    };
    pollster::block_on(async {
        assert!(user::insert(env.atomic(), &record).await.unwrap());
        let index = email::email_index(&env.config, &address);
        assert!(user::claim_index(env.atomic(), &index, &record.id)
            .await
            .unwrap());
        user::directory_add(env.records(), &record.id)
            .await
            .unwrap();
    });
    record
}

/// A function that starts a session for a seeded user, standing in for login so the
/// session flows can be tested without the password feature.
#[derive(Debug)]
pub(crate) struct TestSignIn;

impl Function for TestSignIn {
    const NAME: &'static str = "test-sign-in";
    fn routes<S: Services>() -> &'static [app::Route<S>] {
        const {
            &[app::Route::public(
                Method::Post,
                "/test/sign-in/{user_id}/{mode}",
                |ctx, p| alloc::boxed::Box::pin(test_sign_in(ctx, p)),
            )]
        }
    }
}

async fn test_sign_in<S: Services>(
    ctx: &crate::ctx::Ctx<'_, S>,
    params: &app::Params<'_>,
) -> Result<Response, crate::ApiError> {
    {
        use crate::flows::sessions::{self, delivery};
        use crate::model::session::Mode;
        let user = crate::model::user::load(ctx.services.atomic(), params[0])
            .await?
            .ok_or(crate::ApiError::NotFound)?;
        let mode = if params[1] == "token" {
            Mode::Token
        } else {
            Mode::Cookie
        };
        let issued = sessions::start(ctx, &user, mode).await?;
        delivery::respond(ctx, &user, &issued, mode)
    }
}

/// A signed-in client: its tokens as the server delivered them.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub(crate) user_id: String,
    pub(crate) session_id: String,
    pub(crate) access: String,
    pub(crate) refresh: String,
    pub(crate) csrf: Option<String>,
    pub(crate) mode: &'static str,
}

impl Client {
    /// Reads a login/refresh answer (cookie or token mode).
    pub(crate) fn from_answer(response: &Response, mode: &'static str) -> Self {
        assert_eq!(
            response.status,
            200,
            "{:?}",
            core::str::from_utf8(&response.body)
        );
        let json = body(response);
        let (access, refresh, csrf) = if mode == "token" {
            (
                json["access_token"].as_str().unwrap().to_string(),
                json["refresh_token"].as_str().unwrap().to_string(),
                None,
            )
        } else {
            (
                cookie_value(response, "__Host-access").unwrap(),
                cookie_value(response, "__Secure-refresh").unwrap(),
                Some(cookie_value(response, "__Host-csrf").unwrap()),
            )
        };
        Self {
            user_id: json["user"]["id"].as_str().unwrap().to_string(),
            session_id: json["session_id"].as_str().unwrap().to_string(),
            access,
            refresh,
            csrf,
            mode,
        }
    }

    /// Adds this client's credentials to a request the way a browser (cookie mode,
    /// with the CSRF header) or an API client (Bearer) would.
    pub(crate) fn authorize(&self, request: Request) -> Request {
        match &self.csrf {
            Some(csrf) => request
                .cookies(&[
                    ("__Host-access", &self.access),
                    ("__Secure-refresh", &self.refresh),
                    ("__Host-csrf", csrf),
                ])
                .header("X-CSRF-Token", csrf),
            None => request.header("Authorization", &alloc::format!("Bearer {}", self.access)),
        }
    }

    /// A refresh request carrying this client's refresh token in its mode.
    pub(crate) fn refresh_request(&self) -> Request {
        let request = self::request(Method::Post, "/auth/session/refresh");
        match &self.csrf {
            Some(csrf) => request
                .cookies(&[("__Secure-refresh", &self.refresh), ("__Host-csrf", csrf)])
                .header("X-CSRF-Token", csrf),
            None => request.json(serde_json::json!({ "refresh_token": self.refresh })),
        }
    }
}

/// Starts a session for `user_id` in `mode` ("cookie" or "token").
pub(crate) fn sign_in(env: &TestEnv, user_id: &str, mode: &'static str) -> Client {
    let path = alloc::format!("/test/sign-in/{user_id}/{mode}");
    let outcome = env.serve::<TestSignIn>(&request(Method::Post, &path));
    Client::from_answer(&outcome.response, mode)
}

/// Changes a stored user directly (as an admin flow or another function would).
pub(crate) fn edit_user(
    env: &TestEnv,
    user_id: &str,
    change: impl FnOnce(&mut crate::model::user::UserRecord),
) {
    use crate::model::user;
    pollster::block_on(async {
        let (mut record, raw) = user::load_raw(env.atomic(), user_id)
            .await
            .unwrap()
            .unwrap();
        change(&mut record);
        let shard = user::shard(user_id);
        let new = serde_json::to_string(&record).unwrap();
        assert!(env
            .atomic()
            .compare_and_swap(
                AtomicKey::new(&shard, user::PROFILE),
                Some(&raw),
                Some(&new),
                None
            )
            .await
            .unwrap());
    });
}

/// Reads a stored user.
pub(crate) fn stored_user(env: &TestEnv, user_id: &str) -> crate::model::user::UserRecord {
    pollster::block_on(crate::model::user::load(env.atomic(), user_id))
        .unwrap()
        .unwrap()
}

/// Reads a stored session.
pub(crate) fn stored_session(
    env: &TestEnv,
    user_id: &str,
    session_id: &str,
) -> crate::model::session::SessionRecord {
    pollster::block_on(crate::model::session::load_raw(
        env.atomic(),
        user_id,
        session_id,
    ))
    .unwrap()
    .unwrap()
    .0
}
