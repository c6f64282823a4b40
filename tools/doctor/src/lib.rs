//! # edgeauth-doctor
//!
//! Reads the deployment configuration — `wrangler.toml` files (top level `[vars]` for
//! development, `[env.staging]` / `[env.production]` otherwise) and `spin.toml`
//! (`[variables]` defaults) — overlays the process environment, and checks the result
//! for one environment:
//!
//! 1. with the core's own parser, [`edgeauth_core::Config::from_vars`], so the doctor
//!    never disagrees with what a function will do at startup (a refusal there means
//!    every request is answered `503 unavailable`);
//! 2. with stricter checks the parser cannot make on its own (it sees one value at a
//!    time and not where it came from): secrets written in plain text into a config
//!    file, the published development key material under another key id, e-mail sent
//!    to the console in staging or production, environment sections that silently do
//!    not inherit top-level `[vars]`, a kill switch set in the future, and so on;
//! 3. on Workers, the CPU the argon2 settings cost against `[limits] cpu_ms` or the
//!    Free plan's 10 ms, on the cost model `tools/cpu-budget.mjs` measured ([`cpu`]);
//! 4. the way security webhooks and error reports leave: with `WEBHOOK_ENDPOINTS` set,
//!    the Workers' `WEBHOOKS` queue bindings (a producer on each function that sends,
//!    the consumer on `refresh`), and on Spin the components' `allowed_outbound_hosts`
//!    (`webhook_origin`, `sentry_origin`) admitting every endpoint and the DSN.
//!
//! Every finding has a severity, a stable id (for scripts and tests) and the variable
//! it concerns; any error makes the command exit 1.
//!
//! ## Security considerations
//! - Values are never printed: findings name the variable and the rule, like the
//!   core's `ConfigError`. A doctor run in CI logs therefore leaks no secret.
//! - Secrets are normally absent from files (they are set with `wrangler secret put`
//!   or as Spin secret variables). The doctor takes them from the environment when
//!   exported, or — with `--assume-secrets-set`, for CI checks of the committed
//!   configuration — treats them as present with a placeholder that is never a
//!   development key, so the remaining checks still run.
#![allow(
    // A std command-line tool: `std` paths are the natural ones here.
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core
)]

mod checks;
pub mod cpu;
mod delivery;
mod finding;
mod outbound;
mod sources;

pub use checks::check;
pub use delivery::check_across;
pub use finding::{Finding, Severity};
pub use sources::{load_spin, load_wrangler, ComponentHosts, Origin, Resolved, Value};

/// Options of one doctor run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The environment to check: `development`, `staging` or `production`.
    pub environment: String,
    /// Treat absent secrets as set (they live in the platform's secret store).
    pub assume_secrets_set: bool,
    /// The current Unix time in seconds (for the kill-switch check).
    pub now_secs: u64,
    /// A client-address header that a proxy in front of Spin overwrites on every
    /// request (`--trusted-proxy-header`), so `CLIENT_IP_HEADER` may name it.
    pub trusted_proxy_header: Option<String>,
}
