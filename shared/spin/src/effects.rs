//! Carrying out the core's outcome on Spin: log line (stdout), audit events
//! (persisted through the core), mail (console, or an outbound HTTP POST).
//!
//! A mail that cannot leave is logged with its cause on stderr, never with its
//! content (it may carry a token). The common misconfiguration has its own cause:
//! `outbound_denied`, when `MAIL_HTTP_URL`'s origin is not in the component's
//! `allowed_outbound_hosts` (spin.toml derives it from the `mail_origin` variable).

use edgeauth_core::app::Outcome;
use edgeauth_core::config::MailTransport;
use edgeauth_core::mail::Mail;
use edgeauth_core::Config;

use crate::SpinServices;
use spin_sdk::wasip3::http::types::ErrorCode;

/// Why a mail did not reach the mail API.
#[derive(Debug, Clone, Copy)]
enum MailFailure {
    /// Spin refused the request: the URL's origin is not an allowed outbound host.
    OutboundDenied,
    /// The request left but got no answer (DNS, connection, TLS, timeout).
    Unreachable,
    /// `MAIL_HTTP_URL` does not make a request.
    InvalidUrl,
}

impl MailFailure {
    fn log_line(self) -> &'static str {
        match self {
            Self::OutboundDenied => {
                "{\"kind\":\"mail_failed\",\"cause\":\"outbound_denied\",\"hint\":\"MAIL_HTTP_URL's \
                 origin is not in allowed_outbound_hosts: set the Spin variable mail_origin to \
                 its scheme://host:port\"}"
            }
            Self::Unreachable => "{\"kind\":\"mail_failed\",\"cause\":\"unreachable\"}",
            Self::InvalidUrl => "{\"kind\":\"mail_failed\",\"cause\":\"invalid_url\"}",
        }
    }
}

pub(crate) async fn carry_out(
    outcome: Outcome,
    config: Option<&Config>,
    services: &SpinServices,
) -> http::Response<String> {
    println!("{}", outcome.log.to_json());
    if let Some(config) = config {
        if !outcome.audit.is_empty() {
            if let Err(error) =
                edgeauth_core::audit_log::persist(services, config, &outcome.audit).await
            {
                eprintln!(
                    "{{\"kind\":\"audit_persist_failed\",\"cause\":\"{}\"}}",
                    error.cause()
                );
            }
        }
        for mail in &outcome.mails {
            send(&config.mail_transport, &config.mail_from, mail).await;
        }
    }
    crate::request::from_core(outcome.response)
}

async fn send(transport: &MailTransport, from: &str, mail: &Mail) {
    match transport {
        MailTransport::Console => println!("{}", mail.console_line(from)),
        MailTransport::Http { url, token } => {
            let json = mail.http_body(from);
            let request = http::Request::post(url.as_str())
                .header("content-type", "application/json")
                .header(
                    "authorization",
                    format!("Bearer {}", String::from_utf8_lossy(token.expose())),
                )
                .body(json);
            let outcome = match request {
                Ok(request) => spin_sdk::http::send(request)
                    .await
                    .map(|r| r.status().as_u16())
                    .map_err(|code| match code {
                        ErrorCode::HttpRequestDenied => MailFailure::OutboundDenied,
                        _ => MailFailure::Unreachable,
                    }),
                Err(_) => Err(MailFailure::InvalidUrl),
            };
            match outcome {
                Ok(status) if (200..300).contains(&status) => {
                    println!("{{\"kind\":\"mail\",\"transport\":\"http\",\"status\":{status}}}")
                }
                Ok(status) => eprintln!("{{\"kind\":\"mail_failed\",\"status\":{status}}}"),
                Err(failure) => eprintln!("{}", failure.log_line()),
            }
        }
    }
}
