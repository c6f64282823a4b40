//! The operations the benchmark times, shared by the native binary and the
//! micro-benchmark Worker so that both columns run exactly the same core code.
//!
//! Each function runs one operation `n` times between two readings of the caller's
//! clock and returns the elapsed milliseconds; the caller divides. The configuration
//! is the development one (`config/development.env`): its password-hash parameters
//! are the core's defaults (argon2id m=19456 KiB, t=2, p=1) and its JWT key is the
//! published development Ed25519 key.

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use edgeauth_core::crypto::signature::SoftwareEd25519;
use edgeauth_core::memory::TokenCache;
use edgeauth_core::policy::password::{self, Verification};
use edgeauth_core::policy::token::{self, Grant, NoMemory};
use edgeauth_core::{Config, Random, RandomError, Vars};

/// Runs a future that never waits (token verification in software) to completion.
fn ready<T>(future: impl Future<Output = T>) -> T {
    let mut context = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut context) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("software token verification does not wait"),
    }
}

/// The development configuration, parsed by the core.
pub fn config() -> Config {
    struct DevVars;
    impl Vars for DevVars {
        fn var(&self, name: &str) -> Option<String> {
            include_str!("../../config/development.env")
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty() && !line.starts_with('#'))
                .filter_map(|line| line.split_once('='))
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }
    match Config::from_vars(&DevVars) {
        Ok(config) => config,
        Err(error) => panic!("development config refused: {error:?}"),
    }
}

/// `getrandom` (the OS natively, `crypto.getRandomValues` in a Worker).
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), RandomError> {
        getrandom::fill(buf).map_err(|_| RandomError)
    }
}

/// The password every hash and verification uses (ASCII: NFKC is a no-op on it,
/// as for most real passwords).
pub const PASSWORD: &str = "correct horse battery staple 42";

/// `password::hash_password` (fresh salt each time), `n` times.
pub fn argon2_hash(config: &Config, n: u32, now_ms: &dyn Fn() -> f64) -> f64 {
    let started = now_ms();
    for _ in 0..n {
        let hash = password::hash_password(
            PASSWORD,
            &config.password_hash,
            config.password_pepper.as_ref(),
            &OsRandom,
        );
        assert!(hash.is_ok(), "hash_password failed");
    }
    now_ms() - started
}

/// A stored hash to verify against (not timed).
pub fn stored_hash(config: &Config) -> String {
    password::hash_password(
        PASSWORD,
        &config.password_hash,
        config.password_pepper.as_ref(),
        &OsRandom,
    )
    .unwrap_or_else(|error| panic!("hash_password failed: {error:?}"))
}

/// `password::verify_password` of the right password against `stored`, `n` times.
pub fn argon2_verify(config: &Config, stored: &str, n: u32, now_ms: &dyn Fn() -> f64) -> f64 {
    let started = now_ms();
    for _ in 0..n {
        let verification = password::verify_password(
            PASSWORD,
            stored,
            &config.password_hash,
            config.password_pepper.as_ref(),
        );
        assert!(
            matches!(verification, Verification::Valid { .. }),
            "verify_password refused the password"
        );
    }
    now_ms() - started
}

fn grant<'a>(roles: &'a [String], now_secs: u64) -> Grant<'a> {
    Grant {
        user_id: "usr_bench",
        session_id: "ses_bench",
        roles,
        session_ends_at_secs: now_secs + 86_400,
    }
}

/// `token::issue` (what login and refresh run), `n` times.
pub fn jwt_sign(config: &Config, n: u32, now_ms: &dyn Fn() -> f64) -> f64 {
    let roles = vec!["user".to_string()];
    let now = now_ms() as u64;
    let started = now_ms();
    for _ in 0..n {
        let issued = token::issue(config, &OsRandom, now, grant(&roles, now / 1000));
        assert!(issued.is_ok(), "token::issue failed");
    }
    now_ms() - started
}

/// A fresh access token (not timed).
pub fn fresh_token(config: &Config, now_ms: u64) -> String {
    let roles = vec!["user".to_string()];
    match token::issue(config, &OsRandom, now_ms, grant(&roles, now_ms / 1000)) {
        Ok(issued) => issued.token,
        Err(error) => panic!("token::issue failed: {error:?}"),
    }
}

/// `token::verify` (what every authenticated request runs), `n` times.
pub fn jwt_verify(config: &Config, token: &str, n: u32, now_ms: &dyn Fn() -> f64) -> f64 {
    let now = now_ms() as u64;
    let started = now_ms();
    for _ in 0..n {
        let verified = ready(token::verify(
            config,
            &NoMemory,
            &SoftwareEd25519,
            token,
            now,
        ));
        assert!(verified.is_ok(), "token::verify refused the token");
    }
    now_ms() - started
}

/// `token::verify` with an isolate's memory, of one token (what `GET /api/me` runs for
/// a client's repeated token): one untimed call remembers it, then `n` timed calls.
pub fn jwt_verify_cached(config: &Config, token: &str, n: u32, now_ms: &dyn Fn() -> f64) -> f64 {
    let now = now_ms() as u64;
    let memory = TokenCache::default();
    let check = || ready(token::verify(config, &memory, &SoftwareEd25519, token, now));
    assert!(check().is_ok(), "token::verify refused the token");
    let started = now_ms();
    for _ in 0..n {
        let verified = check();
        assert!(verified.is_ok(), "token::verify refused the token");
    }
    now_ms() - started
}

/// A whole `GET /api/me` through the core's pipeline (`app::serve` of the `api`
/// function: layer, gate, session check, per-user limit, handler, headers, log line)
/// in one isolate's memory, on in-memory stores, for a signed-in user: what the api
/// Worker's core runs per request, without the runtime around it. The user registers
/// and signs in through `login` first (untimed); SESSION_CHECK as given.
pub fn api_me(session_check: &str, n: u32, now_ms: &dyn Fn() -> f64) -> f64 {
    use edgeauth_core::app;
    use edgeauth_core::ctx::Platform;
    use edgeauth_core::env::fake::{FakeClock, SeededRandom};
    use edgeauth_core::functions::{Api, Login};
    use edgeauth_core::http::{Method, Request};
    use edgeauth_core::memory::IsolateMemory;
    use edgeauth_core::store::memory::MemoryStore;
    use std::rc::Rc;

    struct Overridden(&'static str);
    impl Vars for Overridden {
        fn var(&self, name: &str) -> Option<String> {
            match name {
                "REQUIRE_EMAIL_VERIFICATION" => Some("false".into()),
                "RATE_LIMIT_API_PER_USER" => Some("4000000000/60".into()),
                "SESSION_CHECK" => Some(self.0.into()),
                _ => include_str!("../../config/development.env")
                    .lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty() && !line.starts_with('#'))
                    .filter_map(|line| line.split_once('='))
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| value.to_string()),
            }
        }
    }
    let mode: &'static str = if session_check == "strict" { "strict" } else { "cached" };
    let config = Config::from_vars(&Overridden(mode)).unwrap_or_else(|e| panic!("{e:?}"));
    let start = now_ms() as u64;
    let clock = Rc::new(FakeClock::at(start));
    let services = Platform {
        records: MemoryStore::new(clock.clone()),
        atomic: MemoryStore::new(clock.clone()),
        clock: FakeClock::at(start),
        random: SeededRandom::new(7),
        signatures: SoftwareEd25519,
        // GET /api/me sends nothing out (the sign-in providers' requests are login's).
        http: edgeauth_core::outbound::NoOutbound,
    };
    let memory = IsolateMemory::new();
    let request = |method: Method, path: &str, body: &str, authorization: Option<&str>| {
        let mut headers = vec![("CF-Connecting-IP".to_string(), "198.51.100.1".to_string())];
        if !body.is_empty() {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        if let Some(value) = authorization {
            headers.push(("Authorization".into(), value.into()));
        }
        Request {
            method,
            scheme: "http".into(),
            host: "127.0.0.1".into(),
            port: Some(8787),
            path: path.into(),
            query: String::new(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    };
    let credentials = format!(r#"{{"email":"bench@example.com","password":"{PASSWORD}"}}"#);
    let registered = ready(app::serve::<Login, _>(Ok(&config), &memory, &services,
        &request(Method::Post, "/auth/register", &credentials, None)));
    assert_eq!(registered.response.status, 202, "register");
    let login = format!(r#"{{"email":"bench@example.com","password":"{PASSWORD}","mode":"token"}}"#);
    let signed_in = ready(app::serve::<Login, _>(Ok(&config), &memory, &services,
        &request(Method::Post, "/auth/login", &login, None)));
    assert_eq!(signed_in.response.status, 200, "login");
    let body: serde_json::Value = serde_json::from_slice(&signed_in.response.body).unwrap_or_default();
    let bearer = format!("Bearer {}", body["access_token"].as_str().unwrap_or_default());
    let me = request(Method::Get, "/api/me", "", Some(&bearer));
    let once = || ready(app::serve::<Api, _>(Ok(&config), &memory, &services, &me));
    assert_eq!(once().response.status, 200, "GET /api/me");
    let started = now_ms();
    for _ in 0..n {
        let outcome = once();
        assert_eq!(outcome.response.status, 200, "GET /api/me");
        // What the adapter does next: the log line's text.
        let _ = outcome.log.to_json();
    }
    now_ms() - started
}
