//! End-to-end tests: build the fixture component (tests/fixture) for
//! wasm32-wasip2, start `edgeauth-spin-host` on a free port with a temporary
//! manifest, and talk plain HTTP/1.1 to it.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Builds the fixture once per test run and returns the path of its `.wasm`.
fn fixture_wasm() -> &'static Path {
    static WASM: OnceLock<PathBuf> = OnceLock::new();
    WASM.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(&dir)
            .args([
                "build",
                "--quiet",
                "--release",
                "--target",
                "wasm32-wasip2",
                "--target-dir",
            ])
            .arg(dir.join("target"))
            .status()
            .expect("run cargo for the fixture");
        assert!(status.success(), "building the fixture component failed");
        dir.join("target/wasm32-wasip2/release/spin_host_fixture.wasm")
    })
}

/// A scratch directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("spin-host-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const ROUTES: &str = r#"
[[trigger.http]]
route = "/..."
component = "fixture"
[[trigger.http]]
route = "/echo/..."
component = "fixture"
[[trigger.http]]
route = "/echo/exact"
component = "fixture"
"#;

/// A manifest serving the fixture on `routes`, allowing `outbound` hosts.
fn manifest(routes: &str, outbound: &str) -> String {
    format!(
        r#"spin_manifest_version = 2
[application]
name = "fixture-app"
[variables]
greeting = {{ default = "hello" }}
api_key = {{ required = true, secret = true }}
{routes}
[component.fixture]
source = {source:?}
key_value_stores = ["default"]
allowed_outbound_hosts = [{outbound}]
[component.fixture.variables]
greeting = "{{{{ greeting }}}}, world"
api_key = "{{{{ api_key }}}}"
"#,
        source = fixture_wasm().display().to_string(),
    )
}

/// A running host, killed on drop.
struct Host {
    child: Child,
    addr: String,
}

impl Host {
    fn start(dir: &TempDir, manifest_text: &str, env: &[(&str, &str)]) -> Self {
        Self::start_with_args(dir, manifest_text, env, &[])
    }

    fn start_with_args(
        dir: &TempDir,
        manifest_text: &str,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> Self {
        let manifest_path = dir.0.join("spin.toml");
        std::fs::write(&manifest_path, manifest_text).unwrap();
        let log = std::fs::File::create(dir.0.join("host.log")).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_edgeauth-spin-host"));
        cmd.arg("--manifest")
            .arg(&manifest_path)
            .args(["--listen", "127.0.0.1:0", "--kv-db"])
            .arg(dir.0.join("kv.sqlite"))
            .args(args)
            .env_remove("SPIN_VARIABLE_GREETING")
            .env_remove("SPIN_VARIABLE_API_KEY")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(log);
        let mut child = cmd.spawn().expect("start host");
        let mut line = String::new();
        let stdout = child.stdout.take().unwrap();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let log_path = dir.0.join("host.log");
        let addr = line
            .trim()
            .strip_prefix("serving on http://")
            .unwrap_or_else(|| {
                panic!(
                    "host did not start: {line:?}\n{}",
                    std::fs::read_to_string(log_path).unwrap_or_default()
                )
            });
        Self {
            addr: addr.to_owned(),
            child,
        }
    }

    fn request(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Response {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        let mut req = format!(
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        for (name, value) in headers {
            req.push_str(&format!("{name}: {value}\r\n"));
        }
        req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        stream.write_all(req.as_bytes()).unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        Response::parse(&raw)
    }

    fn get(&self, target: &str) -> Response {
        self.request("GET", target, &[], "")
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn parse(raw: &str) -> Self {
        let (head, body) = raw.split_once("\r\n\r\n").expect("complete response");
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Self {
            status,
            headers,
            body: body.to_owned(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// An echoed line `key=value` of the fixture's echo output.
    fn echoed(&self, key: &str) -> Option<&str> {
        self.echoed_all(key).into_iter().next()
    }

    /// Every echoed value of `key`, in order.
    fn echoed_all(&self, key: &str) -> Vec<&str> {
        self.body
            .lines()
            .filter_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .collect()
    }
}

#[test]
fn routes_to_the_most_specific_route_with_spin_headers() {
    let dir = TempDir::new();
    let host = Host::start(&dir, &manifest(ROUTES, ""), &[]);

    let exact = host.request(
        "POST",
        "/echo/exact?x=1&y=2",
        &[("CF-Connecting-IP", "203.0.113.9")],
        "",
    );
    assert_eq!(exact.status, 200, "{exact:?}");
    assert_eq!(exact.echoed("method"), Some("POST"));
    assert_eq!(
        exact.echoed("uri"),
        Some(format!("http://{}/echo/exact?x=1&y=2", host.addr).as_str())
    );
    assert_eq!(exact.echoed("h:cf-connecting-ip"), Some("203.0.113.9"));
    assert_eq!(exact.echoed("h:spin-matched-route"), Some("/echo/exact"));
    assert_eq!(exact.echoed("h:spin-path-info"), Some(""));
    assert_eq!(
        exact.echoed("h:spin-full-url"),
        Some(format!("http://{}/echo/exact?x=1&y=2", host.addr).as_str())
    );
    assert!(
        exact
            .echoed("h:spin-client-addr")
            .is_some_and(|a| a.starts_with("127.0.0.1:"))
    );

    let wildcard = host.get("/echo/a/b");
    assert_eq!(wildcard.echoed("h:spin-matched-route"), Some("/echo/..."));
    assert_eq!(wildcard.echoed("h:spin-path-info"), Some("/a/b"));

    let prefix_only = host.get("/echo");
    assert_eq!(
        prefix_only.echoed("h:spin-matched-route"),
        Some("/echo/...")
    );

    let fallback = host.get("/echoes");
    assert_eq!(fallback.echoed("h:spin-matched-route"), Some("/..."));
    assert_eq!(fallback.echoed("h:spin-path-info"), Some("/echoes"));
}

#[test]
fn spin_headers_come_after_a_clients_own_as_in_spin() {
    let dir = TempDir::new();
    let host = Host::start(&dir, &manifest(ROUTES, ""), &[]);
    let forged = [
        ("spin-client-addr", "198.51.100.1:1"),
        ("CF-Connecting-IP", "203.0.113.9"),
    ];
    let res = host.request("GET", "/echo/x", &forged, "");
    let addrs = res.echoed_all("h:spin-client-addr");
    assert_eq!(addrs.len(), 2, "{res:?}");
    assert_eq!(addrs[0], "198.51.100.1:1", "the client's header is kept");
    assert!(
        addrs[1].starts_with("127.0.0.1:"),
        "the last value is the socket's peer: {addrs:?}"
    );
}

#[test]
fn the_client_address_comes_from_a_header_only_when_told_to() {
    let dir = TempDir::new();
    let args = ["--client-addr-from-header", "cf-connecting-ip"];
    let host = Host::start_with_args(&dir, &manifest(ROUTES, ""), &[], &args);
    let addr = |headers: &[(&str, &str)]| {
        let res = host.request("GET", "/echo/x", headers, "");
        res.echoed_all("h:spin-client-addr")
            .last()
            .map(|a| a.to_string())
    };
    let v4 = addr(&[("CF-Connecting-IP", "203.0.113.9")]).unwrap();
    assert!(v4.starts_with("203.0.113.9:"), "{v4}");
    let v6 = addr(&[("CF-Connecting-IP", "2001:db8::7")]).unwrap();
    assert!(v6.starts_with("[2001:db8::7]:"), "{v6}");
    let garbage = addr(&[("CF-Connecting-IP", "not an address")]).unwrap();
    assert!(garbage.starts_with("127.0.0.1:"), "{garbage}");
    let log = std::fs::read_to_string(dir.0.join("host.log")).unwrap();
    assert!(log.contains("development only"), "{log}");
}

#[test]
fn kv_stats_report_each_requests_store_use() {
    let dir = TempDir::new();
    let host = Host::start_with_args(&dir, &manifest(ROUTES, ""), &[], &["--kv-stats"]);
    assert_eq!(host.request("PUT", "/kv/alpha", &[], "one").status, 200);
    assert_eq!(host.request("PUT", "/wkv/beta", &[], "two").status, 200);
    assert_eq!(host.get("/wkv-keys").status, 200);
    drop(host);
    let log = std::fs::read_to_string(dir.0.join("host.log")).unwrap();
    let line = |prefix: &str| {
        log.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` in {log}"))
            .to_owned()
    };
    assert_eq!(
        line("kv-stats fixture PUT /kv/alpha"),
        "kv-stats fixture PUT /kv/alpha reads=0 writes=1 listed=0"
    );
    assert_eq!(
        line("kv-stats fixture GET /wkv-keys"),
        "kv-stats fixture GET /wkv-keys reads=0 writes=0 listed=2"
    );
}

#[test]
fn a_second_start_reuses_the_compiled_component() {
    let dir = TempDir::new();
    let cache = dir.0.join("compile-cache");
    let cache = cache.to_str().unwrap();
    let log_line = || {
        let log = std::fs::read_to_string(dir.0.join("host.log")).unwrap();
        log.lines()
            .find(|l| l.starts_with("compile cache "))
            .unwrap_or_else(|| panic!("no compile-cache line in {log}"))
            .to_owned()
    };
    for expected in [
        "0 components reused, 1 compiled",
        "1 components reused, 0 compiled",
    ] {
        let host = Host::start_with_args(
            &dir,
            &manifest(ROUTES, ""),
            &[],
            &["--compile-cache", cache],
        );
        assert_eq!(host.get("/echo/a").status, 200);
        drop(host);
        assert!(log_line().ends_with(expected), "{}", log_line());
    }
}

#[test]
fn answers_404_when_no_route_matches() {
    let dir = TempDir::new();
    let routes = "[[trigger.http]]\nroute = \"/echo/...\"\ncomponent = \"fixture\"\n";
    let host = Host::start(&dir, &manifest(routes, ""), &[]);
    assert_eq!(host.get("/echo/x").status, 200);
    assert_eq!(host.get("/other").status, 404);
}

#[test]
fn variables_come_from_defaults_then_environment() {
    let dir = TempDir::new();
    let host = Host::start(&dir, &manifest(ROUTES, ""), &[]);
    let greeting = host.get("/var/greeting");
    assert_eq!(
        (greeting.status, greeting.body.as_str()),
        (200, "hello, world")
    );
    let missing = host.get("/var/api_key");
    assert_eq!(
        missing.status, 503,
        "required variable without value: {missing:?}"
    );
    assert_eq!(host.get("/var/undeclared").status, 503);
    drop(host);

    let env = [
        ("SPIN_VARIABLE_GREETING", "hi"),
        ("SPIN_VARIABLE_API_KEY", "s3cret"),
    ];
    let host = Host::start(&dir, &manifest(ROUTES, ""), &env);
    assert_eq!(host.get("/var/greeting").body, "hi, world");
    assert_eq!(host.get("/var/api_key").body, "s3cret");
}

#[test]
fn key_values_persist_across_restarts() {
    let dir = TempDir::new();
    let host = Host::start(&dir, &manifest(ROUTES, ""), &[]);
    assert_eq!(host.request("PUT", "/kv/alpha", &[], "one").status, 200);
    assert_eq!(host.request("PUT", "/wkv/beta", &[], "two").status, 200);
    assert_eq!(host.get("/kv/alpha").body, "one");
    let gone = host.get("/kv/missing");
    assert_eq!((gone.status, gone.body.as_str()), (404, "exists=false"));
    drop(host);

    let host = Host::start(&dir, &manifest(ROUTES, ""), &[]);
    assert_eq!(host.get("/kv/alpha").body, "one");
    assert_eq!(
        host.get("/kv/beta").body,
        "two",
        "both interfaces share the `default` store"
    );
    assert_eq!(host.get("/wkv/alpha").body, "one");
    assert_eq!(host.get("/kv-keys").body, "alpha\nbeta");
    assert_eq!(host.get("/wkv-keys").body, "pages=1\nalpha\nbeta");
    assert_eq!(host.request("DELETE", "/kv/alpha", &[], "").status, 200);
    assert_eq!(host.get("/wkv/alpha").status, 404);
}

#[test]
fn only_listed_stores_can_be_opened() {
    let dir = TempDir::new();
    let host = Host::start(&dir, &manifest(ROUTES, ""), &[]);
    assert_eq!(host.get("/kv-open/default").status, 200);
    let denied = host.get("/kv-open/other");
    assert_eq!(denied.status, 403);
    assert!(denied.body.contains("AccessDenied"), "{denied:?}");
}

#[test]
fn concurrent_increments_are_atomic() {
    let dir = TempDir::new();
    let host = Host::start(&dir, &manifest(ROUTES, ""), &[]);
    let values: Vec<i64> = thread::scope(|s| {
        let handles: Vec<_> = (0..50)
            .map(|_| s.spawn(|| host.get("/incr/hits")))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                let res = h.join().unwrap();
                assert_eq!(res.status, 200, "{res:?}");
                res.body.parse().unwrap()
            })
            .collect()
    });
    let distinct: HashSet<i64> = values.iter().copied().collect();
    assert_eq!(distinct, (1..=50).collect::<HashSet<i64>>());
    assert_eq!(host.get("/incr/hits").body, "51");
}

#[test]
fn exactly_one_concurrent_compare_and_swap_wins() {
    let dir = TempDir::new();
    let host = Host::start(&dir, &manifest(ROUTES, ""), &[]);
    assert_eq!(host.request("PUT", "/wkv/slot", &[], "v0").status, 200);
    let results: Vec<(usize, Response)> = thread::scope(|s| {
        let host = &host;
        let handles: Vec<_> = (0..20)
            .map(|i| {
                s.spawn(move || {
                    (
                        i,
                        host.request(
                            "POST",
                            "/cas/slot?expect=v0&delay_ms=300",
                            &[],
                            &format!("w{i}"),
                        ),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners: Vec<usize> = results
        .iter()
        .filter(|(_, r)| r.status == 200)
        .map(|(i, _)| *i)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (_, res) in &results {
        assert!(res.status == 200 || res.status == 409, "{res:?}");
    }
    assert!(
        results
            .iter()
            .any(|(_, r)| r.body.starts_with("swap-failed")),
        "some losers must have lost at swap time, after snapshotting v0: {results:?}"
    );
    assert_eq!(host.get("/wkv/slot").body, format!("w{}", winners[0]));
}

#[test]
fn trapping_component_gets_a_500_problem_and_host_survives() {
    let dir = TempDir::new();
    let host = Host::start(&dir, &manifest(ROUTES, ""), &[]);
    let res = host.get("/trap");
    assert_eq!(res.status, 500);
    assert_eq!(res.header("content-type"), Some("application/problem+json"));
    assert_eq!(
        res.body,
        r#"{"type":"about:blank","title":"Internal Server Error","status":500,"code":"internal"}"#
    );
    assert_eq!(host.get("/echo/still-alive").status, 200);
}

/// A one-shot HTTP sink on a free port; returns its port and the raw request.
fn http_sink() -> (u16, thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut raw = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).unwrap();
            raw.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&raw);
            let Some((head, body)) = text.split_once("\r\n\r\n") else {
                continue;
            };
            let head = head.to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            let done = match length {
                Some(len) => body.len() >= len,
                None => body.ends_with("0\r\n\r\n"),
            };
            if done || n == 0 {
                break;
            }
        }
        stream
            .write_all(b"HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            .unwrap();
        String::from_utf8_lossy(&raw).into_owned()
    });
    (port, handle)
}

#[test]
fn outbound_http_reaches_allowed_hosts_only() {
    let dir = TempDir::new();
    let host = Host::start(&dir, &manifest(ROUTES, r#""http://127.0.0.1:*""#), &[]);
    let (port, sink) = http_sink();
    let res = host.request(
        "POST",
        &format!("/outbound?url=http://127.0.0.1:{port}/send"),
        &[],
        "mail body",
    );
    assert_eq!((res.status, res.body.as_str()), (200, "202 ok"), "{res:?}");
    let seen = sink.join().unwrap();
    assert!(seen.starts_with("POST /send HTTP/1.1"), "{seen}");
    assert!(seen.contains("mail body"), "{seen}");
    drop(host);

    let host = Host::start(&dir, &manifest(ROUTES, r#""http://localhost:1""#), &[]);
    let denied = host.request("POST", "/outbound?url=http://127.0.0.1:9/send", &[], "x");
    assert_eq!(denied.status, 500, "{denied:?}");
    assert!(denied.body.contains("HttpRequestDenied"), "{denied:?}");
}
