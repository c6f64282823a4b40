//! Sending mail: the transport chosen by `MAIL_TRANSPORT`, one log line per mail.
//!
//! Security considerations: with `MAIL_TRANSPORT=console` (development only by
//! convention; the config doctor flags it elsewhere) the whole message, including its
//! link, is logged so a developer can follow it; with `http` only the provider's
//! status is logged, never the body or the token, and a mail that did not leave is
//! logged with its cause ([`NotSent`]), never its content.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::output::{notice, NotSent, Output};
use crate::config::MailTransport;
use crate::model::log::Notice;
use crate::model::mail::Mail;

/// Mails to send, with what sending them takes; owned, so a platform can send them
/// after the request is answered.
#[derive(Debug, Default)]
pub struct Mails {
    pub(super) transport: Option<MailTransport>,
    pub(super) from: String,
    pub(super) mails: Vec<Mail>,
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

/// What an operator should do about a mail that did not leave, when that is known.
fn hint(failure: NotSent) -> Option<&'static str> {
    match failure {
        NotSent::OutboundDenied => Some(
            "MAIL_HTTP_URL's origin is not in allowed_outbound_hosts: set the Spin \
             variable mail_origin to its scheme://host:port",
        ),
        NotSent::Unreachable | NotSent::InvalidUrl => None,
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
                    hint: None,
                },
                Err(failure) => Notice::MailFailed {
                    status: None,
                    cause: Some(failure.cause()),
                    hint: hint(failure),
                },
            };
            notice(output, &line);
        }
    }
}
