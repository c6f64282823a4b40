//! OAuth parameters: `application/x-www-form-urlencoded` query strings (the
//! authorization and end-session endpoints) and request bodies (token, revocation,
//! introspection), read strictly.
//!
//! Security considerations:
//! - A parameter sent twice is an error (RFC 6749 §3.1) unless the caller asks for
//!   every value ([`Params::all`]: `resource`, RFC 8707 §2): two `redirect_uri` values
//!   must never be read as "the first one".
//! - Percent-decoding is strict: a `%` not followed by two hex digits, or bytes that
//!   are not UTF-8 once decoded, make the whole input malformed rather than being
//!   passed on half-decoded.
//! - Bounded: at most [`MAX_PAIRS`] parameters (bodies are already capped at 16 KiB by
//!   the layer, query strings by the platform).
//! - An empty value counts as absent (RFC 6749 §3.1).

use alloc::string::String;
use alloc::vec::Vec;

/// Most parameters accepted in one request.
pub const MAX_PAIRS: usize = 64;

/// Why parameters were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamError {
    /// Not well-formed: bad percent-encoding, not UTF-8, too many parameters.
    Malformed,
    /// A parameter that may appear once appeared more often.
    Repeated(&'static str),
}

/// Decoded `name=value` pairs, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

/// Decodes one component: `+` is a space, `%XX` a byte; the result must be UTF-8.
pub fn decode_component(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        match byte {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(index + 1..index + 3)?;
                let text = core::str::from_utf8(hex).ok()?;
                if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(u8::from_str_radix(text, 16).ok()?);
                index += 2;
            }
            other => out.push(other),
        }
        index += 1;
    }
    String::from_utf8(out).ok()
}

/// Encodes a component for a query string: unreserved characters as they are,
/// everything else `%XX` (so the result is safe in a `Location` header).
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&alloc::format!("%{byte:02X}"));
        }
    }
    out
}

impl Params {
    /// Parses a query string or a form body.
    pub fn parse(text: &str) -> Result<Self, ParamError> {
        let mut pairs = Vec::new();
        for pair in text.split('&').filter(|pair| !pair.is_empty()) {
            if pairs.len() == MAX_PAIRS {
                return Err(ParamError::Malformed);
            }
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode_component(name).ok_or(ParamError::Malformed)?;
            let value = decode_component(value).ok_or(ParamError::Malformed)?;
            pairs.push((name, value));
        }
        Ok(Self { pairs })
    }

    /// Parses a form body (which must be UTF-8).
    pub fn parse_body(body: &[u8]) -> Result<Self, ParamError> {
        let text = core::str::from_utf8(body).map_err(|_| ParamError::Malformed)?;
        Self::parse(text)
    }

    /// The value of a parameter that may appear once: `None` when absent or empty.
    pub fn one(&self, name: &'static str) -> Result<Option<&str>, ParamError> {
        let mut values = self
            .pairs
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(ParamError::Repeated(name));
        }
        Ok(first.filter(|value| !value.is_empty()))
    }

    /// Every non-empty value of a repeatable parameter, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| value.as_str())
    }

    /// Whether a parameter is present (even empty).
    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(key, _)| key == name)
    }

    /// How many parameters there are.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

#[cfg(test)]
mod tests;
