//! Passkeys (WebAuthn) settings: `PASSKEYS` and the relying party derived from
//! `PUBLIC_ORIGIN` (docs/passkeys.md §1).
//!
//! The RP id is the host of `PUBLIC_ORIGIN`, without the port: a passkey is bound to
//! it, so moving the deployment to another host makes every passkey unusable (users
//! sign in with their password or a reset and register new ones).
//!
//! Security considerations: WebAuthn refuses IP addresses as RP ids and plain http on
//! anything but `localhost`, so an origin like `http://127.0.0.1:8787` cannot host
//! passkeys. With `PASSKEYS` unset such an origin simply has passkeys off (every
//! development setup on an IP keeps working); `PASSKEYS=true` with it is refused, so
//! an operator who asked for passkeys learns at once that they cannot work, rather
//! than from users.

use alloc::string::{String, ToString};

/// The relying party of every ceremony.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passkeys {
    /// The RP id: the host of `PUBLIC_ORIGIN` (lower case, no port).
    pub rp_id: String,
}

/// Why `PASSKEYS=true` cannot be honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unusable;

/// The passkey settings for `public_origin` (already a validated origin): `requested`
/// is `PASSKEYS` (`None` when unset, which means on where possible).
pub fn parse(public_origin: &str, requested: Option<bool>) -> Result<Option<Passkeys>, Unusable> {
    if requested == Some(false) {
        return Ok(None);
    }
    match rp_id_of(public_origin) {
        Some(rp_id) => Ok(Some(Passkeys { rp_id })),
        None if requested == Some(true) => Err(Unusable),
        None => Ok(None),
    }
}

/// The RP id an origin can have: its host when that is a lower-case domain name
/// (not an IP address) served over https, or `localhost` over http.
pub fn rp_id_of(origin: &str) -> Option<String> {
    let (secure, rest) = match origin.split_once("://")? {
        ("https", rest) => (true, rest),
        ("http", rest) => (false, rest),
        _ => return None,
    };
    // `host[:port]`, the port all digits.
    let host = match rest.split_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        Some(_) => return None,
        None => rest,
    };
    // Labels of a-z, 0-9 and `-`, none empty or starting or ending with `-`; the last
    // not all digits (an IPv4 address is digits and dots only).
    let mut last_numeric = true;
    for label in host.split('.') {
        let bytes = label.as_bytes();
        let allowed = bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
        if !allowed || bytes.first().is_none_or(|b| *b == b'-') || bytes.last() == Some(&b'-') {
            return None;
        }
        last_numeric = bytes.iter().all(u8::is_ascii_digit);
    }
    (!last_numeric && (secure || host == "localhost")).then(|| host.to_string())
}

#[cfg(test)]
mod tests;
