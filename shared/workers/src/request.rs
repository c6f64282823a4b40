//! `worker::Request` → core `Request`, and core `Response` → `worker::Response`.
//!
//! Security considerations: the client's country comes from `request.cf.country`
//! only (the core's [`COUNTRY_HEADER`] from a client is dropped); the body goes
//! through the core's cap ([`edgeauth_core::http::body::capped`]) as a stream
//! ([`Chunks`]): not read at all when its declared length is over the limit,
//! otherwise read only until one byte past it and then cancelled, so the core
//! answers `413` and an upload of any size (chunked ones included) costs at most that
//! much memory.

use edgeauth_core::http::url::{self, UrlParts};
use edgeauth_core::http::{body, COUNTRY_HEADER};
use edgeauth_core::{Method, Request, Response};
use futures_util::StreamExt;
use wasm_bindgen::prelude::wasm_bindgen;
use worker::Headers;

// One crossing each way instead of one per header and URL part: at the request rate of
// an API every crossing shows (docs/benchmarks.md). The request's method, URL and
// headers come back as one string, fields separated by "\n" — a character no method,
// serialized URL, header name or header value can hold (the Headers API refuses it) —
// and the response is built from one such string and the body. The third field is
// `request.cf.country` (Cloudflare's edge sets it; empty when absent, as locally).
#[wasm_bindgen(inline_js = r#"
export function edgeauth_request_head(request) {
  let head = request.method + "\n" + request.url + "\n" + (request.cf?.country ?? "");
  for (const [name, value] of request.headers) head += "\n" + name + "\n" + value;
  return head;
}
export function edgeauth_response(status, head, body) {
  const headers = new Headers();
  if (head.length > 0) {
    const fields = head.split("\n");
    for (let i = 0; i + 1 < fields.length; i += 2) headers.append(fields[i], fields[i + 1]);
  }
  return new Response(body.length > 0 ? body.slice() : null, { status, headers });
}
"#)]
extern "C" {
    fn edgeauth_request_head(request: &web_sys::Request) -> String;
    #[wasm_bindgen(catch)]
    fn edgeauth_response(
        status: u16,
        head: &str,
        body: &[u8],
    ) -> Result<web_sys::Response, wasm_bindgen::JsValue>;
}

/// The request's method, URL parts and headers, read in one crossing. The country
/// header is ours alone: a client's copy is dropped, and the platform's
/// `request.cf.country` takes its place.
struct Head {
    method: String,
    url: UrlParts,
    headers: Vec<(String, String)>,
}

fn head(request: &worker::Request) -> worker::Result<Head> {
    let text = edgeauth_request_head(request.inner());
    let mut fields = text.split('\n');
    let method = fields.next().unwrap_or_default().to_string();
    let url = fields
        .next()
        .and_then(url::split)
        .ok_or_else(|| worker::Error::RustError("request URL unparseable".into()))?;
    let country = fields.next().unwrap_or_default();
    let mut headers = Vec::new();
    while let (Some(name), Some(value)) = (fields.next(), fields.next()) {
        if !name.eq_ignore_ascii_case(COUNTRY_HEADER) {
            headers.push((name.to_string(), value.to_string()));
        }
    }
    if !country.is_empty() {
        headers.push((COUNTRY_HEADER.to_string(), country.to_string()));
    }
    Ok(Head {
        method,
        url,
        headers,
    })
}

/// The request's path, as the core would route it ([`url::split`]).
pub(crate) fn path(request: &worker::Request) -> worker::Result<String> {
    url::split(&request.inner().url())
        .map(|url| url.path)
        .ok_or_else(|| worker::Error::RustError("request URL unparseable".into()))
}

/// Converts the platform request.
pub(crate) async fn to_core(mut request: worker::Request) -> worker::Result<Request> {
    let Head {
        method,
        url,
        headers,
    } = head(&request)?;
    let declared = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .map(|(_, value)| value.clone());
    // The raw method token: workers-rs maps methods it does not know to GET, which
    // would answer `QUERY /api/health` with 200 instead of 405.
    let method = Method::parse(&method);
    let body = body::capped(method, declared.as_deref(), || {
        request.stream().ok().map(Chunks)
    })
    .await;
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

/// The request body's `ReadableStream`, chunk by chunk, for the core's cap. Dropping
/// the `ByteStream` cancels its reader, so what the cap does not read is never read.
struct Chunks(worker::ByteStream);

impl body::BodyChunks for Chunks {
    type Chunk = Vec<u8>;
    async fn next_chunk(&mut self) -> Option<Result<Vec<u8>, body::BodyFailed>> {
        self.0
            .next()
            .await
            .map(|chunk| chunk.map_err(|_| body::BodyFailed))
    }
}

/// Converts the core's response to the runtime's, in one crossing (see above); a
/// header that cannot travel that way (a "\n" in it, which the Headers API would
/// refuse anyway) goes the long way, and fails there.
pub(crate) fn to_raw(response: Response) -> worker::Result<web_sys::Response> {
    let plain = response
        .headers
        .iter()
        .all(|(name, value)| !name.contains(['\n', '\r']) && !value.contains(['\n', '\r']));
    if !plain {
        return from_core(response).map(web_sys::Response::from);
    }
    let mut head = String::new();
    for (name, value) in &response.headers {
        if !head.is_empty() {
            head.push('\n');
        }
        head.push_str(name);
        head.push('\n');
        head.push_str(value);
    }
    edgeauth_response(response.status, &head, &response.body)
        .map_err(|_| worker::Error::RustError("response refused by the runtime".into()))
}

/// Converts the core's response, header by header.
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
