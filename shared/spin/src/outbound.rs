//! Outbound HTTP for the core ([`edgeauth_core::outbound::OutboundHttp`]): Spin's
//! `wasi:http` client (`spin_sdk::http::send`), which follows no redirect — a `3xx`
//! comes back as the answer. The request also carries `wasi:http` request options
//! (connect, first-byte and between-bytes timeouts) where the host supports them, and
//! the whole exchange races a timer of the request's timeout. The body is read frame by
//! frame up to the request's limit. Hosts outside `allowed_outbound_hosts` are refused
//! by the runtime ([`OutboundError::Denied`]).
//!
//! Security considerations: nothing of the peer's answer but status, content type and
//! the bounded body reaches the core; failures are causes without text.

use core::future::Future;
use core::pin::pin;
use core::task::Poll;
use core::time::Duration;

use edgeauth_core::outbound::{
    append_capped, OutboundError, OutboundHttp, OutboundMethod, OutboundRequest, OutboundResponse,
};
use http_body_util::BodyExt;
use spin_sdk::wasip3::http::types::{ErrorCode, RequestOptions};
use spin_sdk::wasip3::http_compat::RequestOptionsExtension;

/// Spin's outbound HTTP as the core's.
#[derive(Debug, Clone, Copy, Default)]
pub struct SpinHttp;

/// The first of two futures to finish; `None` when `timer` finished first.
async fn within<T>(work: impl Future<Output = T>, timer: impl Future<Output = ()>) -> Option<T> {
    let mut work = pin!(work);
    let mut timer = pin!(timer);
    core::future::poll_fn(|cx| {
        if let Poll::Ready(value) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(value));
        }
        if timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}

fn options(timeout_ms: u32) -> RequestOptions {
    let options = RequestOptions::new();
    let nanos = u64::from(timeout_ms).saturating_mul(1_000_000);
    // A host that does not support an option refuses it: the timer still bounds the wait.
    let _ = options.set_connect_timeout(Some(nanos));
    let _ = options.set_first_byte_timeout(Some(nanos));
    let _ = options.set_between_bytes_timeout(Some(nanos));
    options
}

async fn exchange(request: &OutboundRequest<'_>) -> Result<OutboundResponse, OutboundError> {
    let mut builder = http::Request::builder()
        .method(match request.method {
            OutboundMethod::Get => http::Method::GET,
            OutboundMethod::Post => http::Method::POST,
        })
        .uri(request.url)
        .extension(RequestOptionsExtension(options(request.timeout_ms)));
    for (name, value) in request.headers {
        builder = builder.header(*name, *value);
    }
    let body = String::from_utf8_lossy(request.body.unwrap_or_default()).into_owned();
    let outgoing = builder.body(body).map_err(|_| OutboundError::InvalidUrl)?;
    let response = spin_sdk::http::send(outgoing)
        .await
        .map_err(|code| match code {
            ErrorCode::HttpRequestDenied => OutboundError::Denied,
            ErrorCode::ConnectionTimeout
            | ErrorCode::ConnectionReadTimeout
            | ErrorCode::ConnectionWriteTimeout => OutboundError::Timeout,
            ErrorCode::HttpRequestUriInvalid => OutboundError::InvalidUrl,
            _ => OutboundError::Unreachable,
        })?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .map(String::from);
    let mut body = Vec::new();
    let mut incoming = response.into_body();
    while let Some(frame) = incoming.frame().await {
        let frame = frame.map_err(|_| OutboundError::Unreachable)?;
        if let Ok(data) = frame.into_data() {
            append_capped(&mut body, data.as_ref(), request.max_response_bytes)?;
        }
    }
    Ok(OutboundResponse {
        status,
        content_type,
        body,
    })
}

impl OutboundHttp for SpinHttp {
    async fn send(&self, request: &OutboundRequest<'_>) -> Result<OutboundResponse, OutboundError> {
        let timer = spin_sdk::time::sleep(Duration::from_millis(u64::from(request.timeout_ms)));
        within(exchange(request), timer)
            .await
            .unwrap_or(Err(OutboundError::Timeout))
    }
}
