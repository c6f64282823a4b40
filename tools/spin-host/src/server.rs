//! The HTTP/1.1 front end: accept, route, add Spin's request headers, call the
//! component, and answer.
//!
//! Request headers are passed through unchanged (except the hop-by-hop ones
//! wasi:http forbids, as in Spin), and Spin's own `spin-*` headers are
//! appended after them, as Spin does: a client-sent `spin-client-addr` stays
//! in the request, ahead of the one the host sets, so a component must read
//! the last value. `spin-client-addr` is the socket's peer address, unless
//! `--client-addr-from-header` names a request header to take it from
//! (development and tests only: it lets one machine act as many clients). A
//! path no route matches gets Spin's plain 404; a component failure gets a 500
//! problem body and its cause is logged to stderr only.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST};
use http::{HeaderName, HeaderValue, Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::router::{Match, Router};
use crate::runtime::Runtime;

/// The body of every 500 the host itself produces.
const INTERNAL_PROBLEM: &str =
    r#"{"type":"about:blank","title":"Internal Server Error","status":500,"code":"internal"}"#;

/// Routes requests to components.
pub struct Server {
    router: Router,
    runtime: Runtime,
    client_addr_header: Option<HeaderName>,
}

impl Server {
    /// A server for `runtime`'s components, routed by `router`; with
    /// `client_addr_header`, `spin-client-addr` is taken from that request header
    /// when it holds an IP address (development only).
    pub fn new(router: Router, runtime: Runtime, client_addr_header: Option<HeaderName>) -> Self {
        Self {
            router,
            runtime,
            client_addr_header,
        }
    }

    /// The address a component sees in `spin-client-addr`: the socket's peer, or
    /// with `--client-addr-from-header` the address in that header (keeping the
    /// peer's port) when it parses.
    fn client_addr(&self, req: &Request<Incoming>, peer: SocketAddr) -> SocketAddr {
        let forwarded = self.client_addr_header.as_ref().and_then(|name| {
            let value = req.headers().get(name)?.to_str().ok()?.trim();
            value
                .parse::<IpAddr>()
                .ok()
                .or_else(|| value.parse::<SocketAddr>().ok().map(|s| s.ip()))
        });
        forwarded.map_or(peer, |ip| SocketAddr::new(ip, peer.port()))
    }

    /// Accepts connections on `listener` forever.
    pub async fn serve(self: Arc<Self>, listener: TcpListener) {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(conn) => conn,
                Err(e) => {
                    eprintln!("accept failed: {e}");
                    continue;
                }
            };
            // Without this, small responses wait for Nagle's algorithm (~40 ms).
            if let Err(e) = stream.set_nodelay(true) {
                eprintln!("set_nodelay failed: {e}");
            }
            let server = Arc::clone(&self);
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let server = Arc::clone(&server);
                    async move { Ok::<_, Infallible>(server.handle(req, peer).await) }
                });
                let conn = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .without_shutdown();
                match conn.await {
                    Ok(parts) => linger(parts.io.into_inner()).await,
                    Err(e) if e.is_incomplete_message() => {}
                    Err(e) => eprintln!("connection from {peer}: {e}"),
                }
            });
        }
    }

    async fn handle(&self, req: Request<Incoming>, peer: SocketAddr) -> Response<Full<Bytes>> {
        let Some(route) = self.router.route(req.uri().path()) else {
            return status(StatusCode::NOT_FOUND);
        };
        let method = req.method().clone();
        let target = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let client = self.client_addr(&req, peer);
        let Some(req) = spin_request(req, &route, client) else {
            return status(StatusCode::BAD_REQUEST);
        };
        match self.runtime.call(route.component, req).await {
            Ok(res) => res.map(Full::new),
            Err(e) => {
                eprintln!("[{}] {method} {target} failed: {e:#}", route.component);
                let mut res =
                    Response::new(Full::new(Bytes::from_static(INTERNAL_PROBLEM.as_bytes())));
                *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                res.headers_mut().insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/problem+json"),
                );
                res
            }
        }
    }
}

/// The request as the component sees it: absolute URI built from `Host`,
/// original headers, then Spin's `spin-*` headers appended (a client's header
/// of the same name is not removed, as in Spin). `None` if `Host` is not a
/// valid authority.
fn spin_request(
    req: Request<Incoming>,
    route: &Match<'_>,
    peer: SocketAddr,
) -> Option<Request<crate::runtime::IncomingBody>> {
    let (mut parts, body) = req.into_parts();
    let host = match parts.headers.get(HOST) {
        Some(h) => h.to_str().ok()?.to_owned(),
        None => parts
            .uri
            .authority()
            .map_or_else(|| "localhost".to_owned(), |a| a.to_string()),
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    parts.uri = Uri::builder()
        .scheme("http")
        .authority(host.as_str())
        .path_and_query(path_and_query.as_str())
        .build()
        .ok()?;
    let spin_headers = [
        ("spin-full-url", format!("http://{host}{path_and_query}")),
        ("spin-path-info", route.path_info.clone()),
        ("spin-matched-route", route.pattern.to_owned()),
        ("spin-raw-component-route", route.pattern.to_owned()),
        ("spin-component-route", route.component_route.clone()),
        ("spin-base-path", "/".to_owned()),
        ("spin-client-addr", peer.to_string()),
    ];
    for (name, value) in spin_headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            parts.headers.append(HeaderName::from_static(name), value);
        }
    }
    Some(Request::from_parts(parts, body.boxed_unsync()))
}

fn status(code: StatusCode) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::new(Bytes::new()));
    *res.status_mut() = code;
    res
}

/// Closes a connection the way servers that answer before reading a whole request body
/// do (nginx's lingering close): the answer is flushed and the write half shut, then
/// what the client still sends is read and dropped, until it closes or for at most
/// [`LINGER`]. Closing at once with unread bytes makes the kernel reset the connection,
/// and a reset can discard the answer before the client reads it: a `413` for an
/// oversized upload would reach the client as a broken pipe instead.
async fn linger(mut stream: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    if stream.shutdown().await.is_err() {
        return;
    }
    let mut sink = [0u8; 64 * 1024];
    let _ = tokio::time::timeout(LINGER, async {
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
}

/// How long [`linger`] reads what a client still sends after the answer.
const LINGER: std::time::Duration = std::time::Duration::from_secs(2);
