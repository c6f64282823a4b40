//! Outbound HTTP: Spin's `allowed_outbound_hosts` check in front of
//! wasmtime-wasi-http's default client.
//!
//! An entry is `scheme://host[:port]`: the scheme may be `*`; the host may be
//! `*` or `*.suffix`; the port may be `*`, and when it is omitted only the
//! scheme's default port (80 or 443) is allowed. A component with no entries
//! can make no outbound request. Denied requests fail in the guest with
//! `HTTP-request-denied` and are logged on the host's stderr.

use http::Uri;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks, default_send_request};

/// The [`WasiHttpHooks`] of one request: the component's allow-list.
pub struct OutboundPolicy {
    component: String,
    allowed: Vec<String>,
}

impl OutboundPolicy {
    /// A policy for component `component` allowing `allowed` destinations.
    pub fn new(component: &str, allowed: &[String]) -> Self {
        Self {
            component: component.to_owned(),
            allowed: allowed.to_vec(),
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
        if !is_allowed(&self.allowed, request.uri()) {
            eprintln!(
                "[{}] outbound request to {} denied: not in allowed_outbound_hosts",
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
pub fn is_allowed(allowed: &[String], uri: &Uri) -> bool {
    let (Some(scheme), Some(host)) = (uri.scheme_str(), uri.host()) else {
        return false;
    };
    let Some(port) = uri.port_u16().or_else(|| default_port(scheme)) else {
        return false;
    };
    allowed
        .iter()
        .any(|entry| entry_allows(entry, scheme, host, port))
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

fn entry_allows(entry: &str, scheme: &str, host: &str, port: u16) -> bool {
    let Some((e_scheme, rest)) = entry.split_once("://") else {
        return false;
    };
    let rest = rest.trim_end_matches('/');
    let (e_host, e_port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && !p.contains(']') => (h, Some(p)),
        _ => (rest, None),
    };
    let scheme_ok = e_scheme == "*" || e_scheme.eq_ignore_ascii_case(scheme);
    let host_ok = e_host == "*"
        || e_host.eq_ignore_ascii_case(host)
        || e_host.strip_prefix("*.").is_some_and(|suffix| {
            host.to_ascii_lowercase()
                .ends_with(&format!(".{}", suffix.to_ascii_lowercase()))
        });
    let port_ok = match e_port {
        Some("*") => true,
        Some(p) => p.parse() == Ok(port),
        None => default_port(scheme) == Some(port),
    };
    scheme_ok && host_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(entries: &[&str], uri: &str) -> bool {
        let entries: Vec<String> = entries.iter().map(|s| s.to_string()).collect();
        is_allowed(&entries, &uri.parse().unwrap())
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
    fn supports_wildcards() {
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
    }
}
