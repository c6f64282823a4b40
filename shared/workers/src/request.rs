//! `worker::Request` → core `Request`, and core `Response` → `worker::Response`.
//!
//! Security considerations: a body whose declared length is over the limit is not
//! read at all; any other body (chunked ones included) is read as a stream and
//! reading stops at `MAX_BODY_BYTES + 1` bytes, after which the stream is cancelled.
//! Either way the core sees at most that many bytes and answers `413`, and an upload
//! of any size costs at most that much memory.

use edgeauth_core::http::body::MAX_BODY_BYTES;
use edgeauth_core::{Method, Request, Response};
use futures_util::StreamExt;
use worker::Headers;

/// The parts of the request URL the core needs: scheme, host, port, path, query.
struct UrlParts {
    scheme: String,
    host: String,
    port: Option<u16>,
    path: String,
    query: String,
}

/// Splits the request URL with the runtime's WHATWG parser (`URL`), so that no Rust
/// URL parser (and no IDNA table: the runtime hands us an ASCII, punycoded host) is
/// linked. The getters give what the `url` crate would: `hostname` keeps IPv6
/// brackets, `port` is empty for the scheme's default port, `search` is `?query`.
fn url_parts(request: &worker::Request) -> worker::Result<UrlParts> {
    let url = web_sys::Url::new(&request.inner().url())
        .map_err(|_| worker::Error::RustError("request URL unparseable".into()))?;
    let port = url.port();
    Ok(UrlParts {
        scheme: url.protocol().trim_end_matches(':').to_string(),
        host: url.hostname(),
        port: if port.is_empty() {
            None
        } else {
            Some(
                port.parse()
                    .map_err(|_| worker::Error::RustError("request URL port".into()))?,
            )
        },
        path: url.pathname(),
        query: url
            .search()
            .strip_prefix('?')
            .map(str::to_string)
            .unwrap_or_default(),
    })
}

/// The request's path, as the core would route it (see [`url_parts`]).
pub(crate) fn path(request: &worker::Request) -> worker::Result<String> {
    url_parts(request).map(|url| url.path)
}

/// Converts the platform request.
pub(crate) async fn to_core(mut request: worker::Request) -> worker::Result<Request> {
    let url = url_parts(&request)?;
    let headers: Vec<(String, String)> = request.headers().entries().collect();
    let declared = request
        .headers()
        .get("content-length")?
        .and_then(|value| value.trim().parse::<usize>().ok());
    // The raw method token: workers-rs maps methods it does not know to GET, which
    // would answer `QUERY /api/health` with 200 instead of 405.
    let method = Method::parse(&request.inner().method());
    let body = match declared {
        Some(length) if length > MAX_BODY_BYTES => vec![0; MAX_BODY_BYTES + 1],
        _ if matches!(method, Method::Get | Method::Head) => Vec::new(),
        _ => read_capped(&mut request).await,
    };
    Ok(Request {
        method,
        scheme: url.scheme,
        host: url.host,
        port: url.port,
        path: url.path,
        query: url.query,
        headers,
        body,
    })
}

/// Reads at most `MAX_BODY_BYTES + 1` bytes of the body, then cancels the stream
/// (dropping the `ByteStream` cancels its reader). A body that fails mid-way reads as
/// empty, as it did when read whole; so does a request without a body.
async fn read_capped(request: &mut worker::Request) -> Vec<u8> {
    let Ok(mut stream) = request.stream() else {
        return Vec::new();
    };
    let mut bytes = Vec::new();
    while bytes.len() <= MAX_BODY_BYTES {
        match stream.next().await {
            Some(Ok(chunk)) => {
                let room = MAX_BODY_BYTES + 1 - bytes.len();
                bytes.extend_from_slice(chunk.get(..room).unwrap_or(&chunk));
            }
            Some(Err(_)) => return Vec::new(),
            None => break,
        }
    }
    bytes
}

/// Converts the core's response.
pub(crate) fn from_core(response: Response) -> worker::Result<worker::Response> {
    let headers = Headers::new();
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    let body = (!response.body.is_empty()).then_some(response.body);
    let out = match body {
        Some(bytes) => worker::Response::from_bytes(bytes)?,
        None => worker::Response::empty()?,
    };
    Ok(out.with_status(response.status).with_headers(headers))
}
