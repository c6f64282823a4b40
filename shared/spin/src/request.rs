//! spin-sdk request → core `Request`; core `Response` → `http::Response`.
//!
//! Security considerations: the body goes through the core's cap
//! ([`edgeauth_core::http::body::capped`]): at most `MAX_BODY_BYTES + 1` bytes are
//! kept, enough for the core to answer `413`.

use edgeauth_core::http::body::capped;
use edgeauth_core::http::COUNTRY_HEADER;
use edgeauth_core::{Method, Request, Response};
use spin_sdk::http::body::IncomingBodyExt;

pub(crate) async fn to_core(request: spin_sdk::http::Request) -> Request {
    let (parts, body) = request.into_parts();
    // Spin knows no country: a client's copy of the core's country header is dropped.
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter(|(name, _)| !name.as_str().eq_ignore_ascii_case(COUNTRY_HEADER))
        .filter_map(|(name, value)| {
            Some((name.as_str().to_string(), value.to_str().ok()?.to_string()))
        })
        .collect();
    let method = Method::parse(parts.method.as_str());
    let declared = parts
        .headers
        .get("content-length")
        .and_then(|value| value.to_str().ok());
    let body = capped(method, declared, || async {
        body.bytes().await.map(|b| b.to_vec()).unwrap_or_default()
    })
    .await;
    // Spin passes the full URL in `spin-full-url`; the URI may be origin-form only.
    let full_url = parts
        .headers
        .get("spin-full-url")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<http::Uri>().ok());
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
