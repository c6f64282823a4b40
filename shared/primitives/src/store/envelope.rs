//! The expiry envelope stores use when their platform cannot expire records
//! precisely (Spin key-value has no TTL; Workers KV's TTL is at least 60 s).
//!
//! A stored value is `"<expires_at_ms>|<value>"` (`0` = never). Readers unwrap it and
//! treat an expired value as absent, so expiry is exact whatever the platform does.
//! Counters are stored as `"<expires_at_ms>|<count>"`.

use alloc::format;
use alloc::string::String;

/// Wraps a value with its expiry.
pub fn wrap(value: &str, expires_at_ms: Option<u64>) -> String {
    format!("{}|{}", expires_at_ms.unwrap_or(0), value)
}

/// The expiry of a wrapped value (`None` = never), or `None` if malformed.
pub fn expiry(stored: &str) -> Option<Option<u64>> {
    let (expires, _) = stored.split_once('|')?;
    let expires: u64 = expires.parse().ok()?;
    Some((expires != 0).then_some(expires))
}

/// Unwraps a value, returning `None` when it has expired at `now_ms` or is malformed.
pub fn unwrap(stored: &str, now_ms: u64) -> Option<&str> {
    let (expires, value) = stored.split_once('|')?;
    let expires: u64 = expires.parse().ok()?;
    (expires == 0 || expires > now_ms).then_some(value)
}

#[cfg(test)]
mod tests;
