//! Outbound HTTP for the core ([`edgeauth_core::outbound::OutboundHttp`]): the runtime's
//! `fetch`, with `redirect: "manual"` (a `3xx` comes back as the answer, never
//! followed, to the same host or another), an `AbortSignal.timeout(ms)` covering the
//! connection, the answer and the body, and the body read chunk by chunk up to the
//! request's limit.
//!
//! Security considerations: nothing of the peer's answer but status, content type and
//! the bounded body reaches the core; failures are causes without text.

use edgeauth_core::outbound::{
    append_capped, OutboundError, OutboundHttp, OutboundMethod, OutboundRequest, OutboundResponse,
};
use futures_util::StreamExt;
use worker::{AbortSignal, Fetch, Headers, Method, Request, RequestInit, RequestRedirect};

/// `fetch` as the core's outbound HTTP.
#[derive(Debug, Clone, Copy, Default)]
pub struct WorkersHttp;

impl OutboundHttp for WorkersHttp {
    async fn send(&self, request: &OutboundRequest<'_>) -> Result<OutboundResponse, OutboundError> {
        let headers = Headers::new();
        for (name, value) in request.headers {
            headers
                .set(name, value)
                .map_err(|_| OutboundError::InvalidUrl)?;
        }
        let mut init = RequestInit::new();
        init.with_method(match request.method {
            OutboundMethod::Get => Method::Get,
            OutboundMethod::Post => Method::Post,
        })
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual);
        if let Some(body) = request.body {
            init.with_body(Some(js_sys::Uint8Array::from(body).into()));
        }
        let outgoing =
            Request::new_with_init(request.url, &init).map_err(|_| OutboundError::InvalidUrl)?;
        let signal = AbortSignal::from(web_sys::AbortSignal::timeout_with_u32(request.timeout_ms));
        let failed = |signal: &AbortSignal| {
            if signal.aborted() {
                OutboundError::Timeout
            } else {
                OutboundError::Unreachable
            }
        };
        let mut response = Fetch::Request(outgoing)
            .send_with_signal(&signal)
            .await
            .map_err(|_| failed(&signal))?;
        let status = response.status_code();
        let content_type = response.headers().get("content-type").ok().flatten();
        let mut body = Vec::new();
        if let Ok(mut stream) = response.stream() {
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|_| failed(&signal))?;
                append_capped(&mut body, &chunk, request.max_response_bytes)?;
            }
        }
        Ok(OutboundResponse {
            status,
            content_type,
            body,
        })
    }
}
