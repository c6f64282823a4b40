//! HTTP methods, and sets of them (what a route answers; the `Allow` of `405`).
//!
//! Apart from [`crate::http`] because the error mapping names a method set
//! ([`crate::error::ApiError::MethodNotAllowed`]) and [`crate::http`] names the error
//! mapping: both read this module, neither the other's.

use alloc::vec::Vec;

/// The HTTP methods edgeauth routes; anything else is [`Method::Other`] (answered `405`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `OPTIONS`
    Options,
    /// Any other method token.
    Other,
}

impl Method {
    /// Parses a method token (methods are case-sensitive, RFC 9110 §9.1).
    pub fn parse(token: &str) -> Self {
        match token {
            "GET" => Self::Get,
            "HEAD" => Self::Head,
            "POST" => Self::Post,
            "PUT" => Self::Put,
            "PATCH" => Self::Patch,
            "DELETE" => Self::Delete,
            "OPTIONS" => Self::Options,
            _ => Self::Other,
        }
    }

    /// The method's token.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Head => "HEAD",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
            Self::Options => "OPTIONS",
            Self::Other => "OTHER",
        }
    }

    /// Safe methods (RFC 9110 §9.2.1) need no CSRF token.
    pub fn is_safe(self) -> bool {
        matches!(self, Self::Get | Self::Head | Self::Options)
    }
}

/// A set of methods: what a route answers (the `Allow` of `405`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Methods(u8);

impl Methods {
    /// No method.
    pub const NONE: Self = Self(0);
    /// Methods in `Allow` order.
    const ORDER: [Method; 7] = [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
        Method::Options,
    ];

    fn bit(method: Method) -> u8 {
        match method {
            Method::Get => 1,
            Method::Head => 2,
            Method::Post => 4,
            Method::Put => 8,
            Method::Patch => 16,
            Method::Delete => 32,
            Method::Options => 64,
            Method::Other => 0,
        }
    }

    /// This set and `method`.
    pub fn with(self, method: Method) -> Self {
        Self(self.0 | Self::bit(method))
    }

    /// Whether `method` is in the set.
    pub fn contains(self, method: Method) -> bool {
        Self::bit(method) != 0 && self.0 & Self::bit(method) != 0
    }

    /// The `Allow` list of a route answering these methods: in the order `GET`,
    /// `HEAD` (implied by `GET`), `POST`, `PUT`, `PATCH`, `DELETE`, then `OPTIONS`
    /// (always answered).
    pub fn allow(self) -> Vec<&'static str> {
        let mut set = self.with(Method::Options);
        if set.contains(Method::Get) {
            set = set.with(Method::Head);
        }
        Self::ORDER
            .iter()
            .filter(|method| set.contains(**method))
            .map(|method| method.as_str())
            .collect()
    }
}
