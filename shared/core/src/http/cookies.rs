//! The `Cookie` request header and `Set-Cookie` values (RFC 6265bis).
//!
//! Security considerations: cookie names edgeauth sets use the `__Host-` and
//! `__Secure-` prefixes, which browsers only accept with `Secure` (and, for
//! `__Host-`, `Path=/` and no `Domain`), so a sibling subdomain cannot plant them.
//! Parsing is lenient about spacing but never panics on hostile input, and the
//! first occurrence of a name wins (RFC 6265 §5.4 ordering puts the most specific
//! path first).

use alloc::format;
use alloc::string::String;

/// The value of cookie `name` in a `Cookie` header, if present.
pub fn get<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_header.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key.trim() == name).then(|| value.trim().trim_matches('"'))
    })
}

/// `SameSite` attribute values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Sent on top-level navigations from other sites, not on subresources.
    Lax,
    /// Never sent cross-site.
    Strict,
    /// Sent on every request, cross-site ones included (only with `Secure`): for the
    /// social sign-in binding cookie of a provider that answers with a cross-site form
    /// POST (Sign in with Apple's `form_post`).
    None,
}

/// A `Set-Cookie` value to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie<'a> {
    /// Cookie name.
    pub name: &'a str,
    /// Cookie value (must already be cookie-safe: base64url or hex).
    pub value: &'a str,
    /// `Path` attribute.
    pub path: &'a str,
    /// `HttpOnly`: hidden from page scripts.
    pub http_only: bool,
    /// `SameSite` attribute.
    pub same_site: SameSite,
    /// `Max-Age` in seconds; `Some(0)` deletes the cookie.
    pub max_age_secs: Option<u64>,
}

impl SetCookie<'_> {
    /// Renders the header value. `Secure` is always set: the contract's cookies are
    /// `__Host-`/`__Secure-` prefixed, which requires it (browsers accept `Secure`
    /// cookies from `http://localhost` too).
    pub fn render(&self) -> String {
        let mut out = format!("{}={}; Path={}; Secure", self.name, self.value, self.path);
        if self.http_only {
            out.push_str("; HttpOnly");
        }
        out.push_str(match self.same_site {
            SameSite::Lax => "; SameSite=Lax",
            SameSite::Strict => "; SameSite=Strict",
            SameSite::None => "; SameSite=None",
        });
        if let Some(max_age) = self.max_age_secs {
            out.push_str(&format!("; Max-Age={max_age}"));
        }
        out
    }
}

#[cfg(test)]
mod tests;
