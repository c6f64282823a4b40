//! Outbound HTTP: the one way the core talks to another server (an OpenID provider's
//! discovery document, key set and token endpoint; an OAuth 2.0 provider's user API).
//! Sans-IO like the stores: flows build an [`OutboundRequest`], the runtime's
//! [`OutboundHttp`] sends it — `fetch` on Workers, Spin's outbound HTTP on Spin, a fake
//! in tests — and hands back status, content type and body.
//!
//! Security considerations (every implementation keeps them; `OutboundHttp`'s docs):
//! - **No redirect is followed**, to the same host or another: a `3xx` comes back as
//!   the answer, which the flows treat as a failure. So a provider (or whoever answers
//!   for it) cannot send the client secret or a code to another host.
//! - **Bounded**: at most [`OutboundRequest::max_response_bytes`] of a body are read
//!   ([`OutboundError::TooLarge`] beyond), and the request is abandoned after
//!   [`OutboundRequest::timeout_ms`] ([`OutboundError::Timeout`]).
//! - Errors are causes without text from the peer: nothing a provider sends can reach
//!   a log line or a response through them.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// The methods the core sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboundMethod {
    /// `GET`.
    Get,
    /// `POST` (a form or JSON body).
    Post,
}

impl OutboundMethod {
    /// The method token.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// One request to send.
#[derive(Debug, Clone, Copy)]
pub struct OutboundRequest<'a> {
    /// The method.
    pub method: OutboundMethod,
    /// An absolute `https://` URL (`http://` only to loopback in development: the
    /// flows decide that before a request is built).
    pub url: &'a str,
    /// Header pairs (`Accept`, `Content-Type`, `Authorization`, `User-Agent`).
    pub headers: &'a [(&'a str, &'a str)],
    /// The body, for `POST`.
    pub body: Option<&'a [u8]>,
    /// The most body bytes read; a longer body is [`OutboundError::TooLarge`].
    pub max_response_bytes: usize,
    /// Give up after this long (connect, answer and body together), in milliseconds.
    pub timeout_ms: u32,
}

/// What came back (any status: the caller decides what a status means).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundResponse {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body, at most `max_response_bytes` long.
    pub body: Vec<u8>,
}

/// Why a request got no usable answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutboundError {
    /// The URL does not make a request.
    InvalidUrl,
    /// The platform refused to send it (Spin's `allowed_outbound_hosts`).
    Denied,
    /// It left, and no answer came back (DNS, connection, TLS).
    Unreachable,
    /// No complete answer within the timeout.
    Timeout,
    /// The body is longer than `max_response_bytes`.
    TooLarge,
}

impl OutboundError {
    /// The static cause, for logs.
    pub const fn cause(self) -> &'static str {
        match self {
            Self::InvalidUrl => "outbound: invalid URL",
            Self::Denied => "outbound: host not allowed by the platform",
            Self::Unreachable => "outbound: no answer",
            Self::Timeout => "outbound: timed out",
            Self::TooLarge => "outbound: answer over its size limit",
        }
    }
}

impl fmt::Display for OutboundError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cause())
    }
}

/// Sends outbound requests for the core.
///
/// An implementation follows no redirect (a `3xx` is returned as the answer), reads at
/// most `max_response_bytes` of the body and gives up after `timeout_ms`.
#[allow(async_fn_in_trait)]
pub trait OutboundHttp {
    /// Sends `request` and returns the answer.
    async fn send(&self, request: &OutboundRequest<'_>) -> Result<OutboundResponse, OutboundError>;
}

/// No outbound requests at all: every request is [`OutboundError::Denied`]. For
/// services that make none (tests that do not need them, tools).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoOutbound;

impl OutboundHttp for NoOutbound {
    async fn send(
        &self,
        _request: &OutboundRequest<'_>,
    ) -> Result<OutboundResponse, OutboundError> {
        Err(OutboundError::Denied)
    }
}

/// Reads a body chunk by chunk into at most `max` bytes: what adapters share. Returns
/// [`OutboundError::TooLarge`] as soon as more than `max` bytes arrived.
pub fn append_capped(body: &mut Vec<u8>, chunk: &[u8], max: usize) -> Result<(), OutboundError> {
    if body.len().saturating_add(chunk.len()) > max {
        return Err(OutboundError::TooLarge);
    }
    body.extend_from_slice(chunk);
    Ok(())
}

#[cfg(test)]
mod tests;
