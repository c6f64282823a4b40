//! Outbound HTTP: Spin's `allowed_outbound_hosts` check in front of
//! wasmtime-wasi-http's default client.
//!
//! An entry is `scheme://host[:port]`, parsed by Spin's rules
//! (`spin-outbound-networking-config`'s `AllowedHostConfig::parse`): the scheme
//! is `*` or letters; the host is `*`, `*.suffix`, an IP address or a name, with
//! no path; the port is `*`, a number or a range `a..b` (end excluded), and when
//! it is omitted the scheme's well-known port (80 for http, 443 for https; a
//! scheme without one is an error). Forms this host does not implement (`self`,
//! CIDR ranges, `{…}` lists) are errors too, never silently something else.
//!
//! `{{ variable }}` templates are expanded by [`crate::manifest`]; as in Spin,
//! one entry that does not resolve to a valid form makes the whole list
//! invalid, and then every outbound request of the component is denied. A
//! component with no entries can make no outbound request. Denied requests
//! fail in the guest with `HTTP-request-denied` and are logged on stderr.

use std::net::IpAddr;
use std::ops::Range;

use http::Uri;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks, default_send_request};

/// One parsed `allowed_outbound_hosts` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    /// `None`: any scheme.
    scheme: Option<String>,
    host: HostRule,
    /// `None`: any port.
    ports: Option<Range<u16>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostRule {
    Any,
    /// `*.example.com`, kept as `.example.com`.
    Suffix(String),
    Ip(IpAddr),
    Name(String),
}

fn well_known_port(scheme: &str) -> Option<u16> {
    match scheme {
        "postgres" => Some(5432),
        "mysql" => Some(3306),
        "redis" => Some(6379),
        "mqtt" => Some(1883),
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

impl AllowedHost {
    /// Parses one entry (templates already expanded).
    pub fn parse(entry: &str) -> Result<Self, String> {
        let url = entry.trim();
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(match url {
                "*" | ":" | "" | "?" => format!(
                    "{url:?} is not an allowed outbound host format: hosts must be in the \
                     form <scheme>://<host>[:<port>], with '*' wildcards allowed for each"
                ),
                _ => format!("{url:?} does not contain a scheme (e.g., 'http://' or '*://')"),
            });
        };
        let (host, rest) = rest.rsplit_once(':').unwrap_or((rest, ""));
        let port = match rest.split_once('/') {
            Some((_, path)) if !path.is_empty() => {
                return Err(format!("{url:?} has a path but is not allowed to"));
            }
            Some((port, _)) => port,
            None => rest,
        };
        Ok(Self {
            scheme: parse_scheme(scheme)?,
            host: parse_host(host)?,
            ports: parse_port(port, scheme)?,
        })
    }

    fn allows(&self, scheme: &str, host: &str, port: u16) -> bool {
        let scheme_ok = self
            .scheme
            .as_deref()
            .is_none_or(|allowed| allowed.eq_ignore_ascii_case(scheme));
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let host_ok = match &self.host {
            HostRule::Any => true,
            HostRule::Suffix(suffix) => host.to_ascii_lowercase().ends_with(suffix),
            HostRule::Ip(ip) => host.parse::<IpAddr>().is_ok_and(|h| h == *ip),
            HostRule::Name(name) => name.eq_ignore_ascii_case(host),
        };
        let port_ok = self
            .ports
            .as_ref()
            .is_none_or(|ports| ports.contains(&port));
        scheme_ok && host_ok && port_ok
    }
}

fn parse_scheme(scheme: &str) -> Result<Option<String>, String> {
    if scheme == "*" {
        return Ok(None);
    }
    if scheme.starts_with('{') {
        return Err("scheme lists are not yet supported".into());
    }
    if scheme.is_empty() || scheme.chars().any(|c| !c.is_alphabetic()) {
        return Err(format!(
            "scheme {scheme:?} contains non alphabetic character"
        ));
    }
    Ok(Some(scheme.to_owned()))
}

fn parse_host(host: &str) -> Result<HostRule, String> {
    let host = host.trim();
    if host == "*" {
        return Ok(HostRule::Any);
    }
    if host == "self" || host == "self.alt" {
        return Err("`self` hosts (service chaining) are not supported by this host".into());
    }
    if host.starts_with('{') {
        return Err("host lists are not yet supported".into());
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(HostRule::Ip(ip));
    }
    if let Some((address, bits)) = host.split_once('/')
        && address.parse::<IpAddr>().is_ok()
        && bits.parse::<u8>().is_ok()
    {
        return Err(format!(
            "CIDR ranges ({host}) are not supported by this host"
        ));
    }
    if matches!(host.split('/').nth(1), Some(path) if !path.is_empty()) {
        return Err("hosts must not contain paths".into());
    }
    if let Some(domain) = host.strip_prefix("*.") {
        if domain.contains('*') {
            return Err(format!(
                "Invalid allowed host {host}: wildcards are allowed only as prefixes"
            ));
        }
        return Ok(HostRule::Suffix(format!(
            ".{}",
            domain.to_ascii_lowercase()
        )));
    }
    if host.contains('*') {
        return Err(format!(
            "Invalid allowed host {host}: wildcards are allowed only as subdomains"
        ));
    }
    Ok(HostRule::Name(host.trim_end_matches('/').to_owned()))
}

fn parse_port(port: &str, scheme: &str) -> Result<Option<Range<u16>>, String> {
    let number = |text: &str| {
        text.parse::<u16>()
            .map_err(|_| format!("port {port:?} is not a number"))
    };
    if port.is_empty() {
        return well_known_port(scheme)
            .map(|p| Some(p..p.saturating_add(1)))
            .ok_or_else(|| {
                format!(
                    "no port was provided and the scheme {scheme:?} does not have a known \
                     default port number"
                )
            });
    }
    if port == "*" {
        return Ok(None);
    }
    if port.starts_with('{') {
        return Err("port lists are not yet supported".into());
    }
    if let Some((start, end)) = port.split_once("..") {
        return Ok(Some(number(start)?..number(end)?));
    }
    let p = number(port)?;
    Ok(Some(p..p.saturating_add(1)))
}

/// Parses a whole list: any invalid entry makes the list invalid, as in Spin.
pub fn parse_list(entries: &[String]) -> Result<Vec<AllowedHost>, String> {
    entries
        .iter()
        .map(|entry| AllowedHost::parse(entry))
        .collect()
}

/// The [`WasiHttpHooks`] of one request: the component's allow-list.
pub struct OutboundPolicy {
    component: String,
    /// `Err`: the list did not resolve to valid entries; everything is denied.
    allowed: Result<Vec<AllowedHost>, String>,
}

impl OutboundPolicy {
    /// A policy for component `component` allowing `allowed` destinations.
    pub fn new(component: &str, allowed: &Result<Vec<AllowedHost>, String>) -> Self {
        Self {
            component: component.to_owned(),
            allowed: allowed.clone(),
        }
    }
}

type IoFuture = Box<dyn Future<Output = Result<(), Error>> + Send>;
type SendFuture =
    Box<dyn Future<Output = Result<(http::Response<WasiBody>, IoFuture), Error>> + Send>;

impl WasiHttpHooks for OutboundPolicy {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: IoFuture,
    ) -> SendFuture {
        let verdict = match &self.allowed {
            Ok(allowed) if is_allowed(allowed, request.uri()) => None,
            Ok(_) => Some("not in allowed_outbound_hosts".to_owned()),
            Err(why) => Some(format!("allowed_outbound_hosts is invalid ({why})")),
        };
        if let Some(why) = verdict {
            eprintln!(
                "[{}] outbound request to {} denied: {why}",
                self.component,
                request.uri()
            );
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        Box::new(async move {
            use http_body_util::BodyExt;
            let (res, io) = default_send_request(request, options).await?;
            Ok((res.map(BodyExt::boxed_unsync), Box::new(io) as IoFuture))
        })
    }
}

/// Whether `uri` is allowed by any entry of `allowed`.
pub fn is_allowed(allowed: &[AllowedHost], uri: &Uri) -> bool {
    let (Some(scheme), Some(host)) = (uri.scheme_str(), uri.host()) else {
        return false;
    };
    let Some(port) = uri.port_u16().or_else(|| well_known_port(scheme)) else {
        return false;
    };
    allowed.iter().any(|entry| entry.allows(scheme, host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(entries: &[&str], uri: &str) -> bool {
        let entries: Vec<String> = entries.iter().map(|s| s.to_string()).collect();
        is_allowed(&parse_list(&entries).unwrap(), &uri.parse().unwrap())
    }

    #[test]
    fn denies_everything_without_entries() {
        assert!(!allowed(&[], "http://127.0.0.1:8025/send"));
    }

    #[test]
    fn matches_scheme_host_and_port() {
        let list = ["http://127.0.0.1:8025"];
        assert!(allowed(&list, "http://127.0.0.1:8025/send"));
        assert!(!allowed(&list, "http://127.0.0.1:8026/send"));
        assert!(!allowed(&list, "https://127.0.0.1:8025/send"));
        assert!(!allowed(&list, "http://localhost:8025/send"));
    }

    #[test]
    fn omitted_port_means_default_port() {
        assert!(allowed(
            &["https://mail.example.com"],
            "https://mail.example.com/x"
        ));
        assert!(!allowed(
            &["https://mail.example.com"],
            "https://mail.example.com:8443/x"
        ));
    }

    #[test]
    fn supports_wildcards_and_port_ranges() {
        assert!(allowed(&["*://*:*"], "http://anything:1/"));
        assert!(allowed(
            &["https://*.example.com"],
            "https://a.example.com/"
        ));
        assert!(!allowed(
            &["https://*.example.com"],
            "https://example.com.evil/"
        ));
        assert!(allowed(&["http://localhost:*"], "http://localhost:3000/"));
        assert!(allowed(
            &["http://localhost:3000..3002"],
            "http://localhost:3001/"
        ));
        assert!(!allowed(
            &["http://localhost:3000..3002"],
            "http://localhost:3002/"
        ));
    }

    #[test]
    fn rejects_what_spin_rejects() {
        for entry in [
            "",
            "*",
            "example.com",
            "https://example.com/path",
            "https://exa*mple.com",
            "https://*.ex*ample.com",
            "*://example.com",
            "ht-tp://example.com",
            "https://example.com:port",
        ] {
            assert!(AllowedHost::parse(entry).is_err(), "{entry:?} accepted");
        }
        assert!(AllowedHost::parse("https://example.com/").is_ok());
    }

    #[test]
    fn refuses_forms_it_does_not_implement_instead_of_guessing() {
        for entry in ["http://self", "http://10.0.0.0/8:80", "{http,https}://x"] {
            assert!(AllowedHost::parse(entry).is_err(), "{entry:?} accepted");
        }
    }

    #[test]
    fn one_invalid_entry_invalidates_the_list() {
        let entries = vec!["https://*:443".to_string(), String::new()];
        assert!(parse_list(&entries).is_err());
    }
}
