//! Spin's `allowed_outbound_hosts` entries, as far as the doctor needs them: does an
//! entry admit a URL? The rules follow Spin's (and the local host's,
//! `tools/spin-host/src/outbound.rs`): `scheme://host[:port]`, where the scheme may be
//! `*`, the host `*` or `*.suffix` (one or more labels before the suffix), the port `*`,
//! a number or a range `a..b` (end exclusive); an omitted port is the scheme's own
//! (80 for http, 443 for https). Anything else is not an entry (`None`).

/// One parsed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Allowed {
    scheme: Option<String>,
    host: Host,
    ports: Ports,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    Any,
    Suffix(String),
    Exact(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Ports {
    Any,
    Range(u16, u16),
}

/// A request target: scheme, host, port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    scheme: String,
    host: String,
    port: u16,
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// Splits `authority` into host and optional port (`[v6]:port` too).
fn host_and_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after {
            "" => Some((host, None)),
            _ => Some((host, Some(after.strip_prefix(':')?))),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host, Some(port))),
        None => Some((authority, None)),
    }
}

/// Parses an `allowed_outbound_hosts` entry.
pub(crate) fn parse_allowed(entry: &str) -> Option<Allowed> {
    let (scheme, authority) = entry.trim().split_once("://")?;
    if authority.is_empty() || authority.contains(['/', '?', '#', '@']) {
        return None;
    }
    let scheme = match scheme {
        "*" => None,
        s if !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) =>
        {
            Some(s.to_ascii_lowercase())
        }
        _ => return None,
    };
    let (host, port) = host_and_port(authority)?;
    let host = match host {
        "*" => Host::Any,
        h if h.starts_with("*.") && h.len() > 2 => Host::Suffix(h[1..].to_ascii_lowercase()),
        h if !h.is_empty() && !h.contains('*') => Host::Exact(h.to_ascii_lowercase()),
        _ => return None,
    };
    let ports = match port {
        Some("*") => Ports::Any,
        Some(text) => match text.split_once("..") {
            Some((start, end)) => Ports::Range(start.parse().ok()?, end.parse().ok()?),
            None => {
                let port: u16 = text.parse().ok()?;
                Ports::Range(port, port.checked_add(1)?)
            }
        },
        None => {
            let port = default_port(scheme.as_deref()?)?;
            Ports::Range(port, port + 1)
        }
    };
    Some(Allowed {
        scheme,
        host,
        ports,
    })
}

/// Parses a URL's scheme, host and port (the scheme's default when omitted).
pub(crate) fn parse_url(url: &str) -> Option<Target> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let (host, port) = host_and_port(authority)?;
    let port = match port {
        Some(port) => port.parse().ok()?,
        None => default_port(&scheme)?,
    };
    (!host.is_empty()).then(|| Target {
        scheme,
        host: host.to_ascii_lowercase(),
        port,
    })
}

impl Allowed {
    /// Whether this entry lets a request to `target` out.
    pub(crate) fn admits(&self, target: &Target) -> bool {
        let scheme = self.scheme.as_deref().is_none_or(|s| s == target.scheme);
        let host = match &self.host {
            Host::Any => true,
            Host::Suffix(suffix) => {
                target.host.ends_with(suffix.as_str()) && target.host.len() > suffix.len()
            }
            Host::Exact(host) => *host == target.host,
        };
        let port = match self.ports {
            Ports::Any => true,
            Ports::Range(start, end) => (start..end).contains(&target.port),
        };
        scheme && host && port
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admits(entry: &str, url: &str) -> bool {
        parse_allowed(entry)
            .unwrap()
            .admits(&parse_url(url).unwrap())
    }

    #[test]
    fn entries_admit_what_spin_admits() {
        assert!(admits("https://*:443", "https://api.mail.example/v1/send"));
        assert!(!admits("https://*:443", "http://127.0.0.1:9000/send"));
        assert!(admits(
            "http://127.0.0.1:9000",
            "http://127.0.0.1:9000/send"
        ));
        assert!(!admits(
            "http://127.0.0.1:9000",
            "http://127.0.0.1:9001/send"
        ));
        assert!(admits(
            "https://api.mail.example",
            "https://api.mail.example/send"
        ));
        assert!(!admits(
            "https://api.mail.example",
            "https://api.mail.example:8443/send"
        ));
        assert!(admits(
            "https://*.mail.example",
            "https://eu.api.mail.example/send"
        ));
        assert!(!admits(
            "https://*.mail.example",
            "https://mail.example/send"
        ));
        assert!(admits("*://mail.example:*", "http://mail.example:8080/"));
        assert!(admits(
            "http://localhost:9000..9100",
            "http://localhost:9050/"
        ));
        assert!(!admits(
            "http://localhost:9000..9100",
            "http://localhost:9100/"
        ));
    }

    #[test]
    fn what_is_not_an_entry_is_refused() {
        for entry in [
            "",
            "mail.example",
            "https://",
            "https://a/b",
            "*://*",
            "https://m*l.example",
        ] {
            assert!(parse_allowed(entry).is_none(), "{entry}");
        }
    }
}
