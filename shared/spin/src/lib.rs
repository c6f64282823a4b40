//! # edgeauth-spin
//!
//! The Spin adapter (spin-sdk 7, WASIp3). Like the Workers adapter it only does IO:
//! converts the request, provides the core's services, calls the core and carries
//! out the outcome.
//!
//! Storage: records go to Spin's key-value store (`spin:key-value`, store
//! `default`); everything that must be atomic goes through `wasi:keyvalue/atomics`
//! (compare-and-swap; counters are CAS loops so they can carry a window expiry) on
//! the same store. Spin's own key-value interface has no atomic operation, and the
//! wasi one gives the same guarantee as the Durable Object on Workers: a swap only
//! lands if the value is unchanged since it was read. See [`atomic`]. The store has
//! no TTL and no prefix listing: indexes ([`shard_index`]) list shards and record
//! families without walking the store, and an expiry registry ([`reclaim`]) lets a
//! bounded sweep delete what has expired. Key layout: [`layout`].
//!
//! Upkeep without cron: after its response, one request in [`RECLAIM_ONE_IN`] runs a
//! step of the reclamation, and one in [`SWEEP_ONE_IN`] a run of the core's retention
//! sweep; `POST /api/admin/retention/sweep` does both for an operator's scheduler.
//!
//! Variables: Spin variable names are lower case (`jwt_signing_keys`); values are read
//! once per request (Spin instantiates a component per request) before parsing.
//!
//! Client address: unless `client_ip_header` says otherwise, the core reads
//! [`CLIENT_ADDR_HEADER`], the peer address Spin takes from the accepted socket
//! (`ip:port`). Headers a client can send (`CF-Connecting-IP`, `X-Forwarded-For`) are
//! only right behind a proxy that overwrites them (docs/abuse.md).
//!
//! Security considerations: mail, security webhooks and error reports leave after the
//! response, from a task the handler spawns before returning (WASIp3 lets a task run on
//! after its result; Spin keeps the instance until it exits), so no response time
//! depends on the mail provider — the forgot-password answer for a real account
//! included (docs/spin.md §5); failed webhook deliveries are retried by a sample of
//! later requests (docs/monitoring.md). Secrets are `secret = true` variables and never
//! logged.
#![cfg(all(target_arch = "wasm32", target_os = "wasi"))]

pub mod atomic;
mod effects;
mod layout;
mod outbound;
mod reclaim;
pub mod records;
mod request;
mod shard_index;

use std::collections::BTreeMap;

use edgeauth_core::app::{self, Function};
use edgeauth_core::config::{oauth, VARIABLES};
use edgeauth_core::ctx::Platform;
use edgeauth_core::memory::IsolateMemory;
use edgeauth_core::{Clock, Config, ConfigError, Random, Vars};
use edgeauth_primitives::crypto::signature::SoftwareVerifier;
use edgeauth_primitives::env::OsRandom;

use effects::SpinOutput;
pub use outbound::SpinHttp;

/// The request header Spin sets to the peer address of the connection (`ip:port`,
/// `[v6]:port`): the default `CLIENT_IP_HEADER` on Spin.
pub const CLIENT_ADDR_HEADER: &str = "spin-client-addr";

/// One request in this many runs a step of the store's reclamation after its response.
pub const RECLAIM_ONE_IN: u8 = 16;
/// Units of reclamation work that step does ([`edgeauth_core::AtomicStore::reclaim`]).
pub const RECLAIM_BUDGET: u32 = 32;
/// One request in this many runs the core's retention sweep after its response (the
/// cron trigger's job on Workers: unverified accounts, interrupted erasures).
pub const SWEEP_ONE_IN: u16 = 256;
/// One request in this many also runs the due webhook retries (Spin has no cron).
const RETRY_SAMPLE: u8 = 16;

/// Variable values fetched up front (Spin's variable API is async; the core's is not).
#[derive(Debug, Default)]
pub struct SpinVars(BTreeMap<String, String>);

impl SpinVars {
    /// Reads every configuration variable; unset or undeclared ones are absent. The
    /// variables of generic sign-in providers are named after them, so they are read
    /// once `OAUTH_PROVIDERS` is known (each must be declared in `spin.toml`).
    pub async fn fetch() -> Self {
        let mut values = BTreeMap::new();
        for name in VARIABLES {
            if let Ok(value) = spin_sdk::variables::get(name.to_ascii_lowercase()).await {
                values.insert((*name).to_string(), value);
            }
        }
        let providers = values.get("OAUTH_PROVIDERS").cloned().unwrap_or_default();
        for name in oauth::generic_variables(&providers) {
            if let Ok(value) = spin_sdk::variables::get(name.to_ascii_lowercase()).await {
                values.insert(name, value);
            }
        }
        Self(values)
    }
}

impl Vars for SpinVars {
    fn var(&self, name: &str) -> Option<String> {
        let value = self.0.get(name).filter(|value| !value.trim().is_empty());
        match (name, value) {
            // The core's default (`CF-Connecting-IP`) is the Cloudflare edge's header;
            // on Spin a client could set it to anything.
            ("CLIENT_IP_HEADER", None) => Some(CLIENT_ADDR_HEADER.to_string()),
            (_, value) => value.cloned(),
        }
    }
}

/// Wall-clock time from WASI.
#[derive(Debug, Clone, Copy)]
pub struct SpinClock;

impl Clock for SpinClock {
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_millis() as u64)
            .unwrap_or(0)
    }
}

/// The services of one request: the `default` key-value store for records and
/// atomics, WASI clocks and random, the software signature verifier (EdDSA, ES256,
/// RS256; a Spin host offers guests no native one) and Spin's outbound HTTP.
pub type SpinServices =
    Platform<records::KvRecords, atomic::KvAtomic, SpinClock, OsRandom, SoftwareVerifier, SpinHttp>;

/// Opens the `default` store for records and atomics.
pub async fn services() -> SpinServices {
    Platform {
        records: records::KvRecords::open().await,
        atomic: atomic::KvAtomic::open(),
        clock: SpinClock,
        random: OsRandom,
        signatures: SoftwareVerifier,
        http: SpinHttp,
    }
}

/// The background work a request does after its response, drawn at random.
#[derive(Debug, Clone, Copy)]
struct Upkeep {
    reclaim: bool,
    sweep: bool,
}

impl Upkeep {
    /// Draws this request's share.
    fn draw() -> Self {
        let mut bytes = [0u8; 3];
        if OsRandom.fill(&mut bytes).is_err() {
            return Self {
                reclaim: false,
                sweep: false,
            };
        }
        Self {
            reclaim: bytes[0] % RECLAIM_ONE_IN == 0,
            sweep: u16::from_le_bytes([bytes[1], bytes[2]]) % SWEEP_ONE_IN == 0,
        }
    }

    async fn run(self, config: Result<&Config, &ConfigError>, services: &SpinServices) {
        if self.sweep {
            app::retention_sweep(config, services, &SpinOutput).await;
        }
        if self.reclaim {
            app::reclaim(services, &SpinOutput, RECLAIM_BUDGET).await;
        }
    }
}

/// Runs the core's store contract suite against this runtime's stores (tests only).
#[cfg(feature = "contract-tests")]
pub async fn store_contract() -> edgeauth_core::store::contract::ContractReport {
    let services = services().await;
    edgeauth_core::store::contract::run_all(&services.records, &services.atomic, &SpinClock).await
}

/// A core response as Spin's `http::Response` (for code beside the core's pipeline
/// that answers with the core's types: the guard's refusals).
pub fn spin_response(response: edgeauth_core::Response) -> http::Response<String> {
    request::from_core(response)
}

/// Serves one request for function `F`: the whole body of a component's handler.
pub async fn serve<F: Function>(request: spin_sdk::http::Request) -> http::Response<String> {
    let config = Config::for_needs(&SpinVars::fetch().await, F::NEEDS, &OsRandom);
    let services = services().await;
    let core_request = request::to_core(request).await;
    // One instance per request: the isolate's memory starts (and ends) empty.
    let memory = IsolateMemory::new();
    let outcome = app::serve::<F, _>(config.as_ref(), &memory, &services, &core_request).await;
    let (response, mut background) =
        app::carry_out(outcome, config.as_ref().ok(), &services, &SpinOutput).await;
    // One instance per request: flushing its metrics would be a store write per
    // request; the request line carries them instead.
    background.discard_metrics();
    // No cron and no queue on Spin: a sample of requests retries the webhook
    // deliveries that are due (bounded), besides `POST /api/admin/webhooks/retry`.
    let mut draw = [0u8; 1];
    if services.random.fill(&mut draw).is_ok() && draw[0] % RETRY_SAMPLE == 0 {
        background.retry_webhooks();
    }
    // Mail, alerts, reports and upkeep run after the response, as with `waitUntil` on
    // Workers: a WASIp3 task may keep running after it has returned its response, and
    // Spin keeps the instance until it exits (spin-trigger-http's WASIp3 executor). So
    // no answer waits for the mail provider, and a forgot-password for a real account
    // answers as fast as for an unknown address.
    //
    // A function whose work after the response may not use the stores (`pages`,
    // [`Function::DOES_IO`]) does no upkeep. The choice is made here, outside the task,
    // on a constant: inside one task a branch not taken would still be a state of its
    // state machine, and the component would link the retention sweep all the same.
    if F::DOES_IO {
        let upkeep = Upkeep::draw();
        spin_sdk::wasip3::spawn(async move {
            if let Ok(config) = &config {
                background
                    .run::<F, _, _>(config, &memory, &services, &SpinOutput)
                    .await;
            }
            upkeep.run(config.as_ref(), &services).await;
        });
    } else {
        spin_sdk::wasip3::spawn(async move {
            if let Ok(config) = &config {
                background
                    .run::<F, _, _>(config, &memory, &services, &SpinOutput)
                    .await;
            }
        });
    }
    request::from_core(response)
}
