//! Request and response values, and the policy that every response passes through.
//!
//! The types here are deliberately plain (no `http` crate: it needs `std`): a method,
//! a path, a query, ordered header pairs and a byte body. Adapters convert their
//! runtime's request into a [`Request`] and a [`Response`] back.
//!
//! Security considerations: header names are compared case-insensitively; a header
//! that occurs more than once is read as its first occurrence only where the
//! contract needs one value (`Origin`, `Content-Type`), so a smuggled duplicate
//! cannot override the first.

pub mod body;
pub mod cookies;
pub mod html;
pub mod problem;
pub mod url;

use alloc::string::String;
use alloc::vec::Vec;

pub use crate::method::{Method, Methods};

/// The header an adapter sets to the client's country as its platform knows it
/// (Workers: `request.cf.country`); adapters remove any copy a client sent, so the
/// core can trust it. Spin knows no country and never sets it.
pub const COUNTRY_HEADER: &str = "x-edgeauth-country";

/// An incoming request, as the adapter saw it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// `http` or `https`, from the URL the platform received.
    pub scheme: String,
    /// The host (without port) from the URL.
    pub host: String,
    /// The port from the URL, when it was explicit.
    pub port: Option<u16>,
    /// The path, percent-encoded as received, starting with `/`.
    pub path: String,
    /// The query string without `?` (empty when absent).
    pub query: String,
    /// Header pairs in arrival order; names as received.
    pub headers: Vec<(String, String)>,
    /// The body bytes (adapters stop reading past the size limit + 1).
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    /// The client's country (ISO 3166-1 alpha-2, as the platform's edge set it in
    /// [`COUNTRY_HEADER`]), when it is one.
    pub fn country(&self) -> Option<&str> {
        self.header(COUNTRY_HEADER).filter(|code| {
            code.len() == 2
                && code
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
    }

    /// The value of a query parameter (first occurrence, not percent-decoded beyond `+`).
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key == name).then(|| crate::encoding::percent_decode(value))
        })
    }
}

/// A response on its way out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header pairs; `Set-Cookie` may repeat.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// An empty response with a status.
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A JSON response from any serializable value.
    pub fn json<T: serde::Serialize>(status: u16, value: &T) -> Self {
        // Serializing our own response types cannot fail (no maps with non-string
        // keys, no failing Serialize impls); an empty object is the safe fallback.
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = Self::empty(status);
        response.set_header("Content-Type", "application/json");
        response.body = body;
        response
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    /// Replaces every header of this name with one value.
    pub fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.into(), value.into()));
    }

    /// Adds a header, keeping existing ones of the same name (for `Set-Cookie`, `Vary`).
    pub fn append_header(&mut self, name: &str, value: &str) {
        self.headers.push((name.into(), value.into()));
    }

    /// Sets a header only when the route did not set it (a route's own CSP wins).
    pub fn set_default_header(&mut self, name: &str, value: &str) {
        if self.header(name).is_none() {
            self.headers.push((name.into(), value.into()));
        }
    }
}

fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}
