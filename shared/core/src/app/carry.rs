//! Carrying out an [`Outcome`]: the request's log line, the audit events, the mails —
//! decided and rendered here, so that an adapter only supplies its transport
//! ([`Output`]: a log and one HTTP request) and its timing (Workers sends mail after
//! the response through `waitUntil`; Spin, which has none, before it).
//!
//! Security considerations: audit events are persisted before the response leaves (a
//! failure is logged with its static cause, never retried with the request's data);
//! with `MAIL_TRANSPORT=console` (development only by convention; the config doctor
//! flags it elsewhere) the whole message, including its link, is logged so a
//! developer can follow it; with `http` only the provider's status is logged, never
//! the body or the token. Mail timing is the adapter's: on Workers mail leaves after
//! the response, so the provider's latency never shows in it; on Spin (no
//! `waitUntil`) it leaves before, and the response time includes it.

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

/// No answer came back from an outbound request (DNS, connection, timeout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreachable;

/// What a platform offers to carry out an outcome.
#[allow(async_fn_in_trait)]
pub trait Output {
    /// Writes one line to the platform's log; `error` selects its error stream.
    fn line(&self, line: &str, error: bool);
    /// POSTs `body` (`application/json`) to `url` with `Authorization:
    /// authorization`; the response status.
    async fn post_json(
        &self,
        url: &str,
        authorization: &str,
        body: String,
    ) -> Result<u16, Unreachable>;
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
                },
                Err(Unreachable) => Notice::MailFailed {
                    status: None,
                    cause: Some("unreachable"),
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

#[cfg(test)]
mod tests;
