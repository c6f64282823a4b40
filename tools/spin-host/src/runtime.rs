//! The Wasm side: one engine, components compiled once at startup, and a fresh
//! instance per request.
//!
//! Each request gets its own `Store` (see [`crate::state`]), so nothing leaks
//! between requests through guest memory. A guest that traps, returns an
//! error code, is still executing Wasm code [`WASM_DEADLINE_TICKS`] epoch
//! ticks after the request started (a busy loop, which never yields to the
//! timeout below), or takes longer than [`REQUEST_TIMEOUT`] in total makes
//! [`Runtime::call`] return an error, never a host panic; the server turns
//! that into a 500.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt as _;
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::error::Context as _;
use wasmtime::{Cache, CacheConfig, Config, Engine, Result, Store, format_err};
use wasmtime_wasi_http::WasiHttpView as _;
use wasmtime_wasi_http::p3::Request;
use wasmtime_wasi_http::p3::bindings::ServicePre;

use crate::bindings::SpinHost;
use crate::kv::KvDb;
use crate::manifest::{App, ComponentSpec};
use crate::state::HostState;

/// Wall-clock limit for one request, waiting included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Wasm code still running this many [`EPOCH_TICK`]s (30 s) into a request traps.
pub const WASM_DEADLINE_TICKS: u64 = 300;
/// How often the engine's epoch advances.
pub const EPOCH_TICK: Duration = Duration::from_millis(100);

/// A request body for the guest.
pub type IncomingBody = http_body_util::combinators::UnsyncBoxBody<Bytes, hyper::Error>;

/// Compiled components, ready to instantiate.
pub struct Runtime {
    engine: Engine,
    components: BTreeMap<String, Loaded>,
    kv: Arc<KvDb>,
    kv_stats: bool,
}

struct Loaded {
    pre: ServicePre<HostState>,
    spec: Arc<ComponentSpec>,
}

impl Runtime {
    /// Compiles every component of `app` and links it against the host's
    /// interfaces; fails if a component imports something the host lacks. With
    /// `kv_stats`, each request's key-value use is printed on stderr. With
    /// `compile_cache`, compiled components are kept in that directory and reused
    /// while the wasm and the engine stay the same: a test suite starts the host
    /// dozens of times, and compiling five components takes seconds each time.
    pub fn new(
        app: App,
        kv: Arc<KvDb>,
        kv_stats: bool,
        compile_cache: Option<&Path>,
    ) -> Result<Self> {
        let mut config = Config::new();
        let cache = compile_cache
            .map(|directory| Cache::new(CacheConfig::new().with_directory(directory).clone()))
            .transpose()?;
        config.cache(cache.clone());
        config.wasm_component_model_async(true);
        config.epoch_interruption(true);
        let engine = Engine::new(&config)?;

        let mut linker = Linker::<HostState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi::p3::add_to_linker(&mut linker)?;
        wasmtime_wasi_http::p3::add_to_linker(&mut linker)?;
        SpinHost::add_to_linker::<_, HasSelf<HostState>>(&mut linker, |s| s)?;

        let mut components = BTreeMap::new();
        for (id, spec) in app.components {
            let component = Component::from_file(&engine, &spec.source).with_context(|| {
                format!(
                    "cannot load component `{id}` from {}",
                    spec.source.display()
                )
            })?;
            let pre = linker
                .instantiate_pre(&component)
                .and_then(ServicePre::new)
                .with_context(|| format!("component `{id}` cannot run on this host"))?;
            components.insert(
                id,
                Loaded {
                    pre,
                    spec: Arc::new(spec),
                },
            );
        }

        if let Some(cache) = &cache {
            eprintln!(
                "compile cache {}: {} components reused, {} compiled",
                cache.directory().display(),
                cache.cache_hits(),
                cache.cache_misses()
            );
        }

        let ticker = engine.weak();
        std::thread::spawn(move || {
            while let Some(engine) = ticker.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        });
        Ok(Self {
            engine,
            components,
            kv,
            kv_stats,
        })
    }

    /// Runs one request through component `id` and returns its whole response.
    pub async fn call(
        &self,
        id: &str,
        req: http::Request<IncomingBody>,
    ) -> Result<http::Response<Bytes>> {
        let loaded = self
            .components
            .get(id)
            .ok_or_else(|| format_err!("no component `{id}`"))?;
        let state = HostState::new(Arc::clone(&loaded.spec), Arc::clone(&self.kv));
        let label = self
            .kv_stats
            .then(|| format!("{id} {} {}", req.method(), req.uri().path()));
        let mut store = Store::new(&self.engine, state);
        store.set_epoch_deadline(WASM_DEADLINE_TICKS);
        let run = async {
            let service = loaded.pre.instantiate_async(&mut store).await?;
            // The request-body result future only reports errors; nothing awaits it.
            let (req, _request_io) = Request::from_http(store.data_mut().http().hooks, req);
            store
                .run_concurrent(async move |store| -> Result<http::Response<Bytes>> {
                    let res = service
                        .handle(store, req)
                        .await?
                        .map_err(|code| format_err!("component returned error code {code:?}"))?;
                    let res = store.with(|mut s| res.into_http(&mut s, async { Ok(()) }))?;
                    let (parts, body) = res.into_parts();
                    let body = body
                        .collect()
                        .await
                        .map_err(|e| format_err!("reading response body: {e:?}"))?
                        .to_bytes();
                    Ok(http::Response::from_parts(parts, body))
                })
                .await?
        };
        let result = tokio::time::timeout(REQUEST_TIMEOUT, run)
            .await
            .map_err(|_| format_err!("request timed out after {REQUEST_TIMEOUT:?}"));
        if let Some(label) = label {
            let stats = store.data().kv_stats;
            eprintln!(
                "kv-stats {label} reads={} writes={} listed={}",
                stats.reads, stats.writes, stats.listed
            );
        }
        result?
    }
}
