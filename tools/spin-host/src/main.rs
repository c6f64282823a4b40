//! `edgeauth-spin-host`: a local stand-in for `spin up`, for tests and local runs.
//!
//! It reads a Spin manifest (version 2), compiles the HTTP components it
//! names, and serves them on one address with Spin's routing, variables and a
//! SQLite key-value store. It is a test tool, not a production runtime: see
//! README.md for exactly what it implements and what it does not.
//!
//! Usage: `edgeauth-spin-host [--manifest spin.toml] [--listen 127.0.0.1:3000]
//! [--kv-db .spin/kv.sqlite] [--client-addr-from-header NAME] [--kv-stats]
//! [--compile-cache DIR]`.
//! Once ready it prints `serving on http://ADDR` (the bound address, so
//! `--listen 127.0.0.1:0` picks a free port).

mod bindings;
mod kv;
mod manifest;
mod outbound;
mod router;
mod runtime;
mod server;
mod spin_kv;
mod state;
mod variables;
mod wasi_kv;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use wasmtime::error::Context as _;
use wasmtime::{Result, bail};

const USAGE: &str = "usage: edgeauth-spin-host [--manifest PATH] [--listen ADDR] [--kv-db PATH]
                          [--client-addr-from-header NAME] [--kv-stats]
                          [--compile-cache DIR]

  --manifest PATH  Spin manifest to serve (default: spin.toml)
  --listen ADDR    address to listen on (default: 127.0.0.1:3000; port 0 picks one)
  --kv-db PATH     SQLite file for key-value stores (default: .spin/kv.sqlite)
  --client-addr-from-header NAME
                   DEVELOPMENT AND TESTS ONLY: take the address in spin-client-addr
                   from request header NAME (when it holds an IP address) instead of
                   the socket, so one machine can act as many clients. Spin has no
                   such option: never use it where untrusted clients connect.
  --kv-stats       after each request, print its key-value reads, writes and listed
                   keys on stderr (`kv-stats COMPONENT METHOD PATH reads=N ...`)
  --compile-cache DIR
                   keep compiled components in DIR and reuse them on the next start
                   when the wasm and the engine are unchanged (wasmtime's cache,
                   keyed by a hash of both); without it every start compiles

Variables come from SPIN_VARIABLE_<NAME> environment variables, else their defaults.";

struct Options {
    manifest: PathBuf,
    listen: String,
    kv_db: PathBuf,
    client_addr_header: Option<http::HeaderName>,
    kv_stats: bool,
    compile_cache: Option<PathBuf>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Options>> {
    let mut opts = Options {
        manifest: PathBuf::from("spin.toml"),
        listen: "127.0.0.1:3000".to_owned(),
        kv_db: PathBuf::from(".spin/kv.sqlite"),
        client_addr_header: None,
        kv_stats: false,
        compile_cache: None,
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--manifest" | "-f" => opts.manifest = value()?.into(),
            "--listen" => opts.listen = value()?,
            "--kv-db" => opts.kv_db = value()?.into(),
            "--client-addr-from-header" => {
                let name = value()?;
                let header = http::HeaderName::from_bytes(name.as_bytes())
                    .with_context(|| format!("invalid header name {name:?}"))?;
                opts.client_addr_header = Some(header);
            }
            "--kv-stats" => opts.kv_stats = true,
            "--compile-cache" => opts.compile_cache = Some(value()?.into()),
            "-h" | "--help" => return Ok(None),
            other => bail!("unknown argument {other:?}"),
        }
    }
    Ok(Some(opts))
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("edgeauth-spin-host: {e:?}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    let Some(opts) = parse_args(std::env::args().skip(1)).context(USAGE)? else {
        println!("{USAGE}");
        return Ok(());
    };
    let app = manifest::load(&opts.manifest, |name| std::env::var(name).ok())?;
    let router = router::Router::new(&app.routes)?;
    let kv = kv::KvDb::open(&opts.kv_db)
        .with_context(|| format!("cannot open key-value database {}", opts.kv_db.display()))?;
    for name in &app.missing_required {
        eprintln!("warning: required variable `{name}` has no value; reading it fails");
    }
    for (route, component) in &app.routes {
        eprintln!("route {route} -> {component}");
    }
    if let Some(header) = &opts.client_addr_header {
        eprintln!(
            "warning: spin-client-addr comes from the `{header}` request header \
             (--client-addr-from-header): clients choose their own address; development only"
        );
    }
    let runtime = runtime::Runtime::new(
        app,
        Arc::new(kv),
        opts.kv_stats,
        opts.compile_cache.as_deref(),
    )?;
    let listener = tokio::net::TcpListener::bind(&opts.listen)
        .await
        .with_context(|| format!("cannot listen on {}", opts.listen))?;
    println!("serving on http://{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    Arc::new(server::Server::new(
        router,
        runtime,
        opts.client_addr_header,
    ))
    .serve(listener)
    .await;
    Ok(())
}
