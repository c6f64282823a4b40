//! The platform's request (`web_sys::Request`) → core `Request`, and core `Response` →
//! the platform's `Response`.
//!
//! Security considerations: a response's headers come from a template only when the
//! rest of its head equals the template's, byte for byte ([`to_raw`]); any failure
//! forgets the template on both sides. The client's country comes from
//! `request.cf.country` only (the core's [`COUNTRY_HEADER`] from a client is dropped); the body goes
//! through the core's cap ([`edgeauth_core::http::body::capped`]) as a stream
//! ([`Chunks`]): not read at all when its declared length is over the limit,
//! otherwise read only until one byte past it and then cancelled, so the core
//! answers `413` and an upload of any size (chunked ones included) costs at most that
//! much memory.

use core::cell::RefCell;
use edgeauth_core::http::url::{self, UrlParts};
use edgeauth_core::http::{body, COUNTRY_HEADER};
use edgeauth_core::policy::security_headers::REQUEST_ID_HEADER;
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
//
// Consecutive answers of one route carry the same headers but for `X-Request-Id`, so the
// response's headers are kept as a template: `edgeauth_response` builds it only when
// told the head changed (`reuse` false), and otherwise lets the `Response` constructor
// copy it, one native call instead of a dozen `append`s (a seventh of `GET /api/me`'s
// CPU before: docs/benchmarks.md, levers). Which template the JavaScript side holds is
// tracked on the Rust side ([`LAST_HEAD`]); a failed build forgets it on both sides, so
// a response never goes out with another one's headers.
#[wasm_bindgen(inline_js = r#"
export function edgeauth_request_head(request) {
  const method = request.method;
  const url = request.url;
  const country = request.cf?.country ?? "";
  let head = method + "\n" + url + "\n" + country;
  for (const [name, value] of request.headers) head += "\n" + name + "\n" + value;
  return head;
}
let template;
export function edgeauth_response(status, head, reuse, requestId, body) {
  if (!reuse) {
    template = undefined;
    const headers = new Headers();
    if (head.length > 0) {
      const fields = head.split("\n");
      for (let i = 0; i + 1 < fields.length; i += 2) headers.append(fields[i], fields[i + 1]);
    }
    template = headers;
  } else if (template === undefined) {
    throw new Error("no response template");
  }
  const response = new Response(body.length > 0 ? body.slice() : null, { status, headers: template });
  if (requestId.length > 0) response.headers.set("X-Request-Id", requestId);
  return response;
}
"#)]
extern "C" {
    fn edgeauth_request_head(request: &web_sys::Request) -> String;
    #[wasm_bindgen(catch)]
    fn edgeauth_response(
        status: u16,
        head: &str,
        reuse: bool,
        request_id: &str,
        body: &[u8],
    ) -> Result<web_sys::Response, wasm_bindgen::JsValue>;
}

thread_local! {
    // The head (headers but `X-Request-Id`, as sent to `edgeauth_response`) of the
    // template the JavaScript side holds; `None` when it holds none.
    static LAST_HEAD: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The request's method, URL parts and headers, read in one crossing. The country
/// header is ours alone: a client's copy is dropped, and the platform's
/// `request.cf.country` takes its place.
pub(crate) struct Head {
    method: String,
    url: UrlParts,
    headers: Vec<(String, String)>,
}

impl Head {
    /// Reads the head of `request`.
    pub(crate) fn of(request: &web_sys::Request) -> worker::Result<Head> {
        let text = edgeauth_request_head(request);
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

    /// The raw method token.
    pub(crate) fn method(&self) -> &str {
        &self.method
    }

    /// The path, as the core routes it ([`url::split`]).
    pub(crate) fn path(&self) -> &str {
        &self.url.path
    }

    /// The first value of header `name` (any case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Converts the platform request, whose head has been read.
pub(crate) async fn to_core(request: web_sys::Request, head: Head) -> worker::Result<Request> {
    // The raw method token: workers-rs maps methods it does not know to GET, which
    // would answer `QUERY /api/health` with 200 instead of 405.
    let method = Method::parse(&head.method);
    let declared = head.header("content-length").map(str::to_string);
    let Head { url, headers, .. } = head;
    // workers-rs' `Request` (its body stream) only where there may be a body to read.
    let body = body::capped(method, declared.as_deref(), || {
        worker::Request::from(request).stream().ok().map(Chunks)
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

/// Converts the core's response to the runtime's, in one crossing (see above), from the
/// isolate's template when only `X-Request-Id` differs from the last response's headers;
/// a header that cannot travel that way (a "\n" in it, which the Headers API would
/// refuse anyway) goes the long way, and fails there.
pub(crate) fn to_raw(response: Response) -> worker::Result<web_sys::Response> {
    let plain = response
        .headers
        .iter()
        .all(|(name, value)| !name.contains(['\n', '\r']) && !value.contains(['\n', '\r']));
    if !plain {
        return from_core(response).map(web_sys::Response::from);
    }
    let mut request_id = "";
    let mut head = String::new();
    for (name, value) in &response.headers {
        if request_id.is_empty() && name.eq_ignore_ascii_case(REQUEST_ID_HEADER) {
            request_id = value;
            continue;
        }
        if !head.is_empty() {
            head.push('\n');
        }
        head.push_str(name);
        head.push('\n');
        head.push_str(value);
    }
    LAST_HEAD.with(|last| {
        let mut last = last.borrow_mut();
        let reuse = last.as_deref() == Some(head.as_str());
        if !reuse {
            // Forgotten until the new template is built: a failed build leaves none.
            *last = None;
        }
        let sent_head = if reuse { "" } else { head.as_str() };
        match edgeauth_response(
            response.status,
            sent_head,
            reuse,
            request_id,
            &response.body,
        ) {
            Ok(raw) => {
                if !reuse {
                    *last = Some(head);
                }
                Ok(raw)
            }
            Err(_) => {
                *last = None;
                Err(worker::Error::RustError(
                    "response refused by the runtime".into(),
                ))
            }
        }
    })
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
