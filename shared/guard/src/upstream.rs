//! The two questions the guard asks edgeauth, as HTTP requests an adapter sends (a
//! service binding on Workers, `fetch`/outbound HTTP elsewhere), and their answers.
//!
//! | call | request |
//! |---|---|
//! | [`Call::Jwks`] | `GET /.well-known/jwks.json` |
//! | [`Call::Introspect`], a read | `GET /auth/introspect` with `Authorization: Bearer <token>` |
//! | [`Call::Introspect`], fresh | `POST /auth/introspect`, same header, body `{"csrf_token": …}` or `{}` |
//!
//! Security considerations: the access token leaves only to edgeauth (the binding, or
//! `EDGEAUTH_URL`, which must be https outside loopback); it is always sent as a
//! Bearer credential, so edgeauth's own CSRF rule does not apply to the introspection
//! and the guard's check of the original request is what stands (the binding of the
//! CSRF token is checked by edgeauth from the body). Answers larger than
//! [`MAX_ANSWER_BYTES`] are refused by the adapters.

/// Largest answer body an adapter accepts (the key set is capped at 64 KiB).
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// A question for edgeauth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call<'a> {
    /// The published key set.
    Jwks,
    /// The session check of `token`.
    Introspect {
        /// The access token.
        token: &'a str,
        /// Read the records now (`POST`), not from a snapshot of the bound.
        fresh: bool,
        /// The request's CSRF token, to be checked against the session.
        csrf_token: Option<&'a str>,
    },
}

impl Call<'_> {
    /// `GET` or `POST`.
    pub fn method(&self) -> &'static str {
        match self {
            Self::Introspect { fresh: true, .. } => "POST",
            _ => "GET",
        }
    }

    /// The path on edgeauth's origin.
    pub fn path(&self) -> &'static str {
        match self {
            Self::Jwks => "/.well-known/jwks.json",
            Self::Introspect { .. } => "/auth/introspect",
        }
    }

    /// The `Authorization` header value, if any.
    pub fn authorization(&self) -> Option<String> {
        match self {
            Self::Jwks => None,
            Self::Introspect { token, .. } => Some(format!("Bearer {token}")),
        }
    }

    /// The JSON body of a `POST`, if any.
    pub fn body(&self) -> Option<String> {
        match self {
            Self::Introspect {
                fresh: true,
                csrf_token,
                ..
            } => Some(match csrf_token {
                Some(token) => serde_json::json!({ "csrf_token": token }).to_string(),
                None => String::from("{}"),
            }),
            _ => None,
        }
    }
}

/// What edgeauth answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The body (at most [`MAX_ANSWER_BYTES`]).
    pub body: Vec<u8>,
    /// `Cache-Control`, if any.
    pub cache_control: Option<String>,
    /// `Retry-After`, if any.
    pub retry_after: Option<String>,
}

/// Why no answer came (unreachable, refused by the platform, too large).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpstreamError(pub &'static str);

/// Sends a [`Call`] to edgeauth.
#[allow(async_fn_in_trait)]
pub trait Upstream {
    /// Sends `call` and returns the answer, whatever its status.
    async fn call(&self, call: Call<'_>) -> Result<Answer, UpstreamError>;
}
