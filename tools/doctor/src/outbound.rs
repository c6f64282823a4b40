//! Spin's outbound allow-list (`allowed_outbound_hosts`): whether an entry admits a
//! URL, by Spin's rules (`spin-outbound-networking-config`, which the local Spin host
//! `tools/spin-host/src/outbound.rs` follows too).
//!
//! An entry is `scheme://host[:port]`: the scheme is `*` or letters; the host `*`,
//! `*.suffix` or a name or IP address; the port `*`, a number or a range `a..b` (end
//! excluded), and without one the scheme's well-known port (80, 443). Forms this does
//! not implement (`self`, CIDR ranges, `{…}` lists) admit nothing here, so the doctor
//! errs towards reporting a receiver as unreachable, never the reverse.

use std::ops::Range;

/// One parsed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Allowed {
    /// `None`: any scheme.
    scheme: Option<String>,
    host: Host,
    /// `None`: any port.
    ports: Option<Range<u16>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    Any,
    /// `*.example.com`, kept as `.example.com`.
    Suffix(String),
    /// A name or an address, lower-cased.
    Exact(String),
}

fn well_known_port(scheme: &str) -> Option<u16> {
    match scheme.to_ascii_lowercase().as_str() {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

fn parse_entry(entry: &str) -> Option<Allowed> {
    let (scheme, rest) = entry.trim().split_once("://")?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains('/') || scheme.is_empty() {
        return None;
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') => (host, Some(port)),
        _ => (rest, None),
    };
    let scheme = match scheme {
        "*" => None,
        letters if letters.chars().all(|c| c.is_ascii_alphabetic()) => {
            Some(letters.to_ascii_lowercase())
        }
        _ => return None,
    };
    let host = match host {
        "*" => Host::Any,
        _ if host.starts_with('{') || host.starts_with("self") || host.contains('/') => {
            return None
        }
        _ => match host.strip_prefix("*.") {
            Some(domain) if !domain.contains('*') && !domain.is_empty() => {
                Host::Suffix(format!(".{}", domain.to_ascii_lowercase()))
            }
            Some(_) => return None,
            None if host.contains('*') || host.is_empty() => return None,
            None => Host::Exact(host.to_ascii_lowercase()),
        },
    };
    let number = |text: &str| text.parse::<u16>().ok();
    let ports = match port {
        None => {
            let port = well_known_port(scheme.as_deref().unwrap_or_default())?;
            Some(port..port.saturating_add(1))
        }
        Some("*") => None,
        Some(range) => match range.split_once("..") {
            Some((start, end)) => Some(number(start)?..number(end)?),
            None => {
                let port = number(range)?;
                Some(port..port.saturating_add(1))
            }
        },
    };
    Some(Allowed {
        scheme,
        host,
        ports,
    })
}

/// `(scheme, host, port)` of an absolute URL (userinfo dropped, the scheme's
/// well-known port when none is given).
fn target_of(url: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (address, after) = bracketed.split_once(']')?;
        (address, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        Some(port) => port.parse().ok()?,
        None => well_known_port(scheme)?,
    };
    (!host.is_empty()).then(|| (scheme.to_ascii_lowercase(), host.to_ascii_lowercase(), port))
}

/// Whether a component with these (expanded) entries may send a request to `url`.
/// An entry that does not parse makes the whole list invalid, as in Spin.
pub(crate) fn admits(entries: &[String], url: &str) -> bool {
    let Some(parsed) = entries
        .iter()
        .map(|entry| parse_entry(entry))
        .collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    let Some((scheme, host, port)) = target_of(url) else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    parsed.iter().any(|allowed| {
        allowed.scheme.as_deref().is_none_or(|s| s == scheme)
            && match &allowed.host {
                Host::Any => true,
                Host::Suffix(suffix) => bare.ends_with(suffix.as_str()),
                Host::Exact(name) => name.trim_start_matches('[').trim_end_matches(']') == bare,
            }
            && allowed
                .ports
                .as_ref()
                .is_none_or(|ports| ports.contains(&port))
    })
}

#[cfg(test)]
mod tests;
