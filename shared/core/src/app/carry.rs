//! Carrying out an [`Outcome`]: the request's log line, the audit events, the mails —
//! decided and rendered here, so that an adapter only supplies its transport
//! ([`Output`]: a log and one HTTP request) and its timing (mail leaves after the
//! response: through `waitUntil` on Workers, from a task the handler spawns on Spin).
//!
//! Security considerations: audit events are persisted before the response leaves (a
//! failure is logged with its static cause, never retried with the request's data);
//! with `MAIL_TRANSPORT=console` (development only by convention; the config doctor
//! flags it elsewhere) the whole message, including its link, is logged so a
//! developer can follow it; with `http` only the provider's status is logged, never
//! the body or the token, and a mail that did not leave is logged with its cause
//! ([`NotSent`]), never its content. Mail timing is the adapter's: on both runtimes mail
//! leaves after the response, so the provider's latency never shows in it (a mail only
//! a real account gets would otherwise tell accounts apart).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::Outcome;
use crate::config::{Config, ConfigError, MailTransport};
use crate::ctx::Services;
use crate::flows::audit;
use crate::flows::gdpr::retention;
use crate::http::Response;
use crate::model::log::Notice;
use crate::model::mail::Mail;

/// Why an outbound request got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSent {
    /// It left, and no answer came back (DNS, connection, TLS, timeout).
    Unreachable,
    /// The platform refused to send it: the URL's origin is not an allowed outbound
    /// host (Spin's `allowed_outbound_hosts`, which `spin.toml` derives from the
    /// `mail_origin` variable) — the common misconfiguration, told apart.
    OutboundDenied,
    /// The URL does not make a request.
    InvalidUrl,
}

impl NotSent {
    /// The `cause` of the `mail_failed` line.
    fn cause(self) -> &'static str {
        match self {
            Self::Unreachable => "unreachable",
            Self::OutboundDenied => "outbound_denied",
            Self::InvalidUrl => "invalid_url",
        }
    }

    /// What an operator should do about it, when that is known.
    fn hint(self) -> Option<&'static str> {
        match self {
            Self::OutboundDenied => Some(
                "MAIL_HTTP_URL's origin is not in allowed_outbound_hosts: set the Spin \
                 variable mail_origin to its scheme://host:port",
            ),
            Self::Unreachable | Self::InvalidUrl => None,
        }
    }
}

/// What a platform offers to carry out an outcome.
#[allow(async_fn_in_trait)]
pub trait Output {
    /// Writes one line to the platform's log; `error` selects its error stream.
    fn line(&self, line: &str, error: bool);
    /// POSTs `body` (`application/json`) to `url` with `Authorization:
    /// authorization`; the response status.
    async fn post_json(&self, url: &str, authorization: &str, body: String)
        -> Result<u16, NotSent>;
}

/// Writes a notice line to `output`.
pub fn notice(output: &impl Output, notice: &Notice<'_>) {
    output.line(&notice.to_json(), notice.is_error());
}

/// Mails to send, with what sending them takes; owned, so a platform can send them
/// after the request is answered.
#[derive(Debug, Default)]
pub struct Mails {
    transport: Option<MailTransport>,
    from: String,
    mails: Vec<Mail>,
}

impl Mails {
    /// Whether there is nothing to send.
    pub fn is_empty(&self) -> bool {
        self.mails.is_empty() || self.transport.is_none()
    }

    /// Sends every mail through `output`, one log line each.
    pub async fn send(self, output: &impl Output) {
        let Some(transport) = &self.transport else {
            return;
        };
        for mail in &self.mails {
            send(output, transport, &self.from, mail).await;
        }
    }
}

async fn send(output: &impl Output, transport: &MailTransport, from: &str, mail: &Mail) {
    match transport {
        MailTransport::Console => output.line(&mail.console_line(from), false),
        // A function configured without mail (the hosted pages) never queues one; if
        // it did, the mail is reported as not sent — never printed with its link.
        MailTransport::Disabled => notice(
            output,
            &Notice::MailFailed {
                status: None,
                cause: Some("disabled"),
                hint: None,
            },
        ),
        MailTransport::Http { url, token } => {
            let authorization = format!("Bearer {}", String::from_utf8_lossy(token.expose()));
            let line = match output
                .post_json(url, &authorization, mail.http_body(from))
                .await
            {
                Ok(status) if (200..300).contains(&status) => Notice::Mail {
                    transport: "http",
                    status,
                },
                Ok(status) => Notice::MailFailed {
                    status: Some(status),
                    cause: None,
                    hint: None,
                },
                Err(failure) => Notice::MailFailed {
                    status: None,
                    cause: Some(failure.cause()),
                    hint: failure.hint(),
                },
            };
            notice(output, &line);
        }
    }
}

/// Carries out `outcome` up to the response: prints the request's log line and
/// persists its audit events (with a valid configuration); returns the response to
/// send and the mails, for the adapter to send when its platform allows.
pub async fn carry_out<S: Services>(
    outcome: Outcome,
    config: Option<&Config>,
    services: &S,
    output: &impl Output,
) -> (Response, Mails) {
    output.line(&outcome.log.to_json(), false);
    let Some(config) = config else {
        return (outcome.response, Mails::default());
    };
    if !outcome.audit.is_empty() {
        if let Err(error) = audit::log::persist(services, config, &outcome.audit).await {
            notice(
                output,
                &Notice::AuditPersistFailed {
                    cause: error.cause(),
                },
            );
        }
    }
    let mails = Mails {
        transport: Some(config.mail_transport.clone()),
        from: config.mail_from.clone(),
        mails: outcome.mails,
    };
    (outcome.response, mails)
}

/// One scheduled retention sweep ([`retention::sweep`]): persists the events it returns
/// and prints one line with its report (counts only) or its error. A configuration
/// error or a store failure only logs; the next run retries.
pub async fn retention_sweep<S: Services>(
    config: Result<&Config, &ConfigError>,
    services: &S,
    output: &impl Output,
) {
    let Ok(config) = config else {
        notice(
            output,
            &Notice::RetentionSweep {
                report: None,
                error: Some("configuration invalid"),
            },
        );
        return;
    };
    match retention::sweep(services, config).await {
        Ok((report, events)) => {
            if let Err(error) = audit::log::persist(services, config, &events).await {
                notice(
                    output,
                    &Notice::AuditPersistFailed {
                        cause: error.cause(),
                    },
                );
            }
            let report = serde_json::to_value(&report).ok();
            notice(
                output,
                &Notice::RetentionSweep {
                    report,
                    error: None,
                },
            );
        }
        Err(error) => {
            let cause = error.internal_cause().unwrap_or(error.code());
            notice(
                output,
                &Notice::RetentionSweep {
                    report: None,
                    error: Some(cause),
                },
            );
        }
    }
}

/// One step of the store's physical reclamation ([`crate::store::AtomicStore::reclaim`],
/// `budget` units of work): one line with its counts when it deleted something, or its
/// error; nothing when there was nothing to do.
pub async fn reclaim<S: Services>(services: &S, output: &impl Output, budget: u32) {
    use crate::store::AtomicStore;
    match services.atomic().reclaim(budget).await {
        Ok(report) if report.deleted == 0 && report.examined == 0 => {}
        Ok(report) => notice(
            output,
            &Notice::Reclaim {
                report: serde_json::to_value(report).ok(),
                error: None,
            },
        ),
        Err(error) => notice(
            output,
            &Notice::Reclaim {
                report: None,
                error: Some(error.cause()),
            },
        ),
    }
}

#[cfg(test)]
mod tests;
