//! Mail messages: values that flows return and adapters send.
//!
//! Security considerations: links are built from `PUBLIC_ORIGIN` only (never from
//! the request's `Host`, which an attacker controls), and tokens travel in the URL
//! fragment, which browsers never send to servers or put in `Referer`.

use alloc::string::String;
use serde::Serialize;

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
}

/// The JSON body of the `http` transport (docs/contract.md §5).
#[derive(Debug, Serialize)]
pub struct HttpMailBody<'a> {
    /// `MAIL_FROM`.
    pub from: &'a str,
    /// Recipient.
    pub to: &'a str,
    /// Subject.
    pub subject: &'a str,
    /// Body.
    pub text: &'a str,
}

impl Mail {
    /// The JSON body the `http` transport POSTs (docs/contract.md §5).
    pub fn http_body(&self, from: &str) -> String {
        let body = HttpMailBody {
            from,
            to: &self.to,
            subject: &self.subject,
            text: &self.text,
        };
        serde_json::to_string(&body).unwrap_or_default()
    }

    /// The log line of the `console` transport (development): the whole message, so a
    /// developer can follow its link.
    pub fn console_line(&self, from: &str) -> String {
        #[derive(Serialize)]
        struct ConsoleLine<'a> {
            kind: &'static str,
            transport: &'static str,
            #[serde(flatten)]
            mail: HttpMailBody<'a>,
        }
        let mail = HttpMailBody {
            from,
            to: &self.to,
            subject: &self.subject,
            text: &self.text,
        };
        serde_json::to_string(&ConsoleLine {
            kind: "mail",
            transport: "console",
            mail,
        })
        .unwrap_or_default()
    }
}

/// A link `PUBLIC_ORIGIN + path + "#token=" + token`: the token in the fragment.
pub fn link_with_fragment_token(public_origin: &str, path: &str, token: &str) -> String {
    alloc::format!("{public_origin}{path}#token={token}")
}
