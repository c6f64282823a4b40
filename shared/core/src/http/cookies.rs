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
        });
        if let Some(max_age) = self.max_age_secs {
            out.push_str(&format!("; Max-Age={max_age}"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn finds_named_cookie_among_others() {
        let header = "a=1; __Host-access=tok.en; __Host-csrf=\"xyz\"";
        assert_eq!(get(header, "__Host-access"), Some("tok.en"));
        assert_eq!(get(header, "__Host-csrf"), Some("xyz"));
        assert_eq!(get(header, "missing"), None);
    }

    #[test]
    fn first_occurrence_wins() {
        assert_eq!(get("x=1; x=2", "x"), Some("1"));
    }

    #[test]
    fn renders_contract_attributes() {
        let cookie = SetCookie {
            name: "__Host-access",
            value: "v",
            path: "/",
            http_only: true,
            same_site: SameSite::Lax,
            max_age_secs: Some(900),
        };
        assert_eq!(
            cookie.render(),
            "__Host-access=v; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=900"
        );
    }

    proptest! {
        #[test]
        fn parsing_never_panics(header in ".{0,200}", name in "[a-z_-]{0,12}") {
            let _ = get(&header, &name);
        }
    }
}
