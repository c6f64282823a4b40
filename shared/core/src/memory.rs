//! Per-isolate memory: what one isolate remembers between the requests it serves,
//! kept apart from the configuration (which holds values only).
//!
//! An adapter builds one [`IsolateMemory`] next to the parsed [`crate::Config`] and
//! hands both to [`crate::app::serve`]; flows reach it as `ctx.memory`. On Workers both
//! live as long as the isolate; on Spin (one instance per request) and in tests a fresh
//! one is built, so nothing is shared that should not be.
//!
//! | memory | what it saves | why it cannot change an answer |
//! |---|---|---|
//! | [`tokens`] | the signature check of a token seen before | facts of the token bytes and the key only; time claims, session and user are checked on every request |
//! | [`kill_switch`] | reading the stored kill-switch cut-off on every request | re-read every 5 s; the bound is stated in `docs/sessions.md` |
//! | [`settled`] | reading a finished rate-limit window's count again | remembered only once the window is final |
//! | [`hashing`] | — (a bound, not a cache) | caps the password hashes one isolate takes on at once |
//! | [`oidc`] | fetching a sign-in provider's metadata and keys per sign-in | public, checked when fetched; bounded lifetimes; an unknown key id refetches (rate-limited) |
//! | [`metrics`] | a store write per request for metrics; re-checking the signing key | counts only, never read by a decision; the key check runs once per isolate |
//!
//! Adding a memory is a module here
//! and a field of [`IsolateMemory`]; [`bounded::Bounded`] is the container the caches
//! share. The configuration is not touched.
//!
//! Security considerations: every memory is bounded (a flood of distinct keys can only
//! evict entries, never grow the isolate), remembers facts that cannot change the
//! answer or only for a stated bound, and treats a busy `RefCell` as a miss, never as
//! a panic. Nothing here holds a bearer token or a key; [`sessions`] holds user records
//! as stored (a password hash, ciphertexts) for at most its bound.

pub mod bounded;
pub mod hashing;
pub mod kill_switch;
pub mod leases;
pub mod metrics;
pub mod oidc;
pub mod sessions;
pub mod settled;
pub mod tokens;

pub use hashing::{HashGate, HashPermit};
pub use kill_switch::KillSwitchMemory;
pub use leases::Leases;
pub use metrics::{Metrics, SigningKeyWatch};
pub use oidc::OidcMemory;
pub use sessions::SessionCache;
pub use settled::SettledCounts;
pub use tokens::TokenCache;

/// The longest an isolate acts on a revocation-relevant fact it read earlier: the
/// kill switch's cut-off ([`kill_switch`]) and, in `SESSION_CHECK=cached`, a session
/// check ([`sessions`]). The revocation bound of docs/sessions.md §5.
pub const REVOCATION_BOUND_MS: u64 = 5_000;

/// Everything one isolate remembers between requests.
#[derive(Debug)]
pub struct IsolateMemory {
    /// Access tokens whose signature and static claims verified ([`tokens`]).
    pub tokens: TokenCache,
    /// The isolate's copy of the kill switch's stored cut-off ([`kill_switch`]).
    pub kill_switch: KillSwitchMemory,
    /// Session checks reused by read-only requests ([`sessions`]).
    pub sessions: SessionCache,
    /// Blocks of per-user rate-limit positions ([`leases`]).
    pub leases: Leases,
    /// Finished rate-limit windows' counts ([`settled`]).
    pub settled: SettledCounts,
    /// The bound on password hashing in flight ([`hashing`]).
    pub hashing: HashGate,
    /// Sign-in providers' metadata and key sets ([`oidc`]).
    pub oidc: OidcMemory,
    /// Request counts, latencies, outcomes and hash time since the last flush
    /// ([`metrics`]).
    pub metrics: Metrics,
    /// Whether the active signing key was compared with the stored one ([`metrics`]).
    pub signing_key: SigningKeyWatch,
}

impl IsolateMemory {
    /// An empty memory (a new isolate, a Spin instance, a test).
    pub fn new() -> Self {
        Self {
            tokens: TokenCache::default(),
            kill_switch: KillSwitchMemory::default(),
            sessions: SessionCache::default(),
            leases: Leases::default(),
            settled: SettledCounts::default(),
            hashing: HashGate::new(hashing::CAPACITY),
            oidc: OidcMemory::default(),
            metrics: Metrics::default(),
            signing_key: SigningKeyWatch::default(),
        }
    }
}

impl Default for IsolateMemory {
    fn default() -> Self {
        Self::new()
    }
}
