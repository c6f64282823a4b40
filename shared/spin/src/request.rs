//! spin-sdk request → core `Request`; core `Response` → `http::Response`.
//!
//! Security considerations:
//! - The body goes through the core's cap ([`edgeauth_core::http::body::capped`]) as
//!   a stream ([`Chunks`]): read only until `MAX_BODY_BYTES + 1` bytes are held,
//!   enough for the core to answer `413`, so a chunked upload of any size costs at
//!   most that much memory and the rest is never read.
//! - Spin adds its `spin-*` headers (`spin-client-addr`, `spin-full-url`, …) after
//!   the client's headers without removing a client-sent header of the same name, so
//!   of each only the last value is the runtime's: the others are dropped here.

use edgeauth_core::http::body::{self, capped};
use edgeauth_core::http::COUNTRY_HEADER;
use edgeauth_core::{Method, Request, Response};
use http_body_util::BodyExt;

/// Keeps only the last value of every `spin-*` header (the one Spin set); other
/// headers are kept as they came, in order.
fn runtime_headers(headers: Vec<(String, String)>) -> Vec<(String, String)> {
    let is_last_of_name = |index: usize, name: &str| {
        !headers
            .iter()
            .skip(index + 1)
            .any(|(later, _)| later.eq_ignore_ascii_case(name))
    };
    headers
        .iter()
        .enumerate()
        .filter(|(index, (name, _))| {
            !name.to_ascii_lowercase().starts_with("spin-") || is_last_of_name(*index, name)
        })
        .map(|(_, header)| header.clone())
        .collect()
}

/// The incoming body, data frame by data frame, for the core's cap (dropping it
/// stops reading).
struct Chunks<B>(B);

impl<B> body::BodyChunks for Chunks<B>
where
    B: http_body::Body + Unpin,
    B::Data: AsRef<[u8]>,
{
    type Chunk = B::Data;
    async fn next_chunk(&mut self) -> Option<Result<B::Data, body::BodyFailed>> {
        loop {
            match self.0.frame().await? {
                // Trailers carry no body bytes.
                Ok(frame) => {
                    if let Ok(data) = frame.into_data() {
                        return Some(Ok(data));
                    }
                }
                Err(_) => return Some(Err(body::BodyFailed)),
            }
        }
    }
}

pub(crate) async fn to_core(request: spin_sdk::http::Request) -> Request {
    let (parts, body) = request.into_parts();
    // Spin knows no country: a client's copy of the core's country header is dropped.
    let headers = runtime_headers(
        parts
            .headers
            .iter()
            .filter(|(name, _)| !name.as_str().eq_ignore_ascii_case(COUNTRY_HEADER))
            .filter_map(|(name, value)| {
                Some((name.as_str().to_string(), value.to_str().ok()?.to_string()))
            })
            .collect(),
    );
    let method = Method::parse(parts.method.as_str());
    let declared = parts
        .headers
        .get("content-length")
        .and_then(|value| value.to_str().ok());
    let body = capped(method, declared, || Some(Chunks(body))).await;
    // Spin passes the full URL in `spin-full-url`; the URI may be origin-form only.
    let full_url = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("spin-full-url"))
        .and_then(|(_, value)| value.parse::<http::Uri>().ok());
    let uri = full_url.as_ref().unwrap_or(&parts.uri);
    let host_header = parts
        .headers
        .get("host")
        .and_then(|value| value.to_str().ok());
    let authority = uri
        .authority()
        .map(|a| a.as_str())
        .or(host_header)
        .unwrap_or_default();
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || authority.starts_with('[') => {
            (host.to_string(), port.parse().ok())
        }
        _ => (authority.to_string(), None),
    };
    Request {
        method,
        scheme: uri.scheme_str().unwrap_or("http").to_string(),
        host,
        port,
        path: uri.path().to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        headers,
        body,
    }
}

pub(crate) fn from_core(response: Response) -> http::Response<String> {
    let mut builder = http::Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let body = String::from_utf8_lossy(&response.body).into_owned();
    builder.body(body).unwrap_or_else(|_| {
        let mut fallback = http::Response::new(String::new());
        *fallback.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}
