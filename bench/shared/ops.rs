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
