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
    let (scheme, rest) = origin.split_once("://")?;
    let host = match rest.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        Some(_) => return None,
        None => rest,
    };
    let domain = !host.is_empty()
        && !host.starts_with(['.', '-'])
        && !host.ends_with(['.', '-'])
        && !host.contains("..")
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        // An IPv4 literal is digits and dots only; a domain's last label is not numeric.
        && !host
            .rsplit('.')
            .next()
            .is_some_and(|label| label.bytes().all(|b| b.is_ascii_digit()));
    let secure = scheme == "https" || (scheme == "http" && host == "localhost");
    (domain && secure).then(|| host.to_string())
}

#[cfg(test)]
mod tests;
