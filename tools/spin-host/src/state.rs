//! Per-request store data: what one component instance can reach.
//!
//! A fresh [`HostState`] is made for every request, like Spin's
//! instance-per-request model: WASI with no files, no network sockets and no
//! host environment (only the manifest's `environment`), stdout and stderr
//! forwarded to the host's stderr, outbound HTTP limited by
//! `allowed_outbound_hosts`, and the shared key-value database restricted to
//! the component's `key_value_stores`.

use std::sync::Arc;

use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wasmtime::component::ResourceTable;

use wasmtime_wasi::{HostWallClock, WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::kv::KvDb;
use crate::manifest::ComponentSpec;
use crate::outbound::OutboundPolicy;

/// The host's wall clock moved by a fixed number of seconds (`--clock-offset-secs`).
struct OffsetClock(i64);

impl HostWallClock for OffsetClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let offset = Duration::from_secs(self.0.unsigned_abs());
        if self.0 >= 0 {
            now.saturating_add(offset)
        } else {
            now.saturating_sub(offset)
        }
    }
}

/// What one request asked of the key-value store (`--kv-stats`).
#[derive(Debug, Default, Clone, Copy)]
pub struct KvStats {
    /// Values read (`get`, `exists`, compare-and-swap reads, each key of a `get-many`).
    pub reads: u64,
    /// Values written or deleted (each key of a batch counts).
    pub writes: u64,
    /// Keys returned by `get-keys` and `list-keys`.
    pub listed: u64,
}

/// The data of one request's `Store`.
pub struct HostState {
    pub(crate) table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    outbound: OutboundPolicy,
    pub(crate) component: Arc<ComponentSpec>,
    pub(crate) kv: Arc<KvDb>,
    pub(crate) kv_stats: KvStats,
}

impl HostState {
    /// State for one request to `component`; its wall clock runs `clock_offset_secs`
    /// ahead of the host's (`--clock-offset-secs`, tests only).
    pub fn new(component: Arc<ComponentSpec>, kv: Arc<KvDb>, clock_offset_secs: i64) -> Self {
        let mut wasi = WasiCtx::builder();
        wasi.stdout(std::io::stderr()).stderr(std::io::stderr());
        if clock_offset_secs != 0 {
            wasi.wall_clock(OffsetClock(clock_offset_secs));
        }
        for (k, v) in &component.environment {
            wasi.env(k, v);
        }
        Self {
            table: ResourceTable::new(),
            wasi: wasi.build(),
            http: WasiHttpCtx::new(),
            outbound: OutboundPolicy::new(&component.id, &component.allowed_outbound_hosts),
            component,
            kv,
            kv_stats: KvStats::default(),
        }
    }

    /// Whether the component may open the store `label`.
    pub fn may_open(&self, label: &str) -> bool {
        self.component.key_value_stores.iter().any(|s| s == label)
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.outbound,
        }
    }
}
