//! Carrying out the core's [`Outcome`]: log line, audit events, mail, response.
//!
//! Mail leaves after the response through `waitUntil`: the response time of
//! register/forgot must not depend on whether a mail was sent (account enumeration),
//! and a slow mail provider must not slow logins down.
//!
//! Security considerations: with `MAIL_TRANSPORT=console` (development only by
//! convention; the config doctor flags it elsewhere) the whole message, including
//! its link, is logged so a developer can follow it; with `http` only the fact of
//! sending is logged, never the body or the provider token.

use edgeauth_core::app::Outcome;
use edgeauth_core::config::MailTransport;
use edgeauth_core::model::mail::Mail;
use edgeauth_core::Config;
use worker::{console_error, console_log, Context, Fetch, Headers, Method, Request, RequestInit};

use crate::WorkersServices;

pub(crate) async fn carry_out(
    outcome: Outcome,
    config: Option<&Config>,
    services: WorkersServices,
    ctx: Context,
) -> worker::Result<worker::Response> {
    console_log!("{}", outcome.log.to_json());
    if let Some(config) = config {
        if !outcome.audit.is_empty() {
            if let Err(error) =
                edgeauth_core::flows::audit::log::persist(&services, config, &outcome.audit).await
            {
                console_error!(
                    "{{\"kind\":\"audit_persist_failed\",\"cause\":\"{}\"}}",
                    error.cause()
                );
            }
        }
        if !outcome.mails.is_empty() {
            let transport = config.mail_transport.clone();
            let from = config.mail_from.clone();
            let mails = outcome.mails;
            ctx.wait_until(async move {
                for mail in &mails {
                    send(&transport, &from, mail).await;
                }
            });
        }
    }
    crate::request::from_core(outcome.response)
}

async fn send(transport: &MailTransport, from: &str, mail: &Mail) {
    match transport {
        MailTransport::Console => console_log!("{}", mail.console_line(from)),
        MailTransport::Http { url, token } => {
            let result = post_json(url, token.expose(), mail.http_body(from)).await;
            match result {
                Ok(status) if (200..300).contains(&status) => {
                    console_log!("{{\"kind\":\"mail\",\"transport\":\"http\",\"status\":{status}}}")
                }
                Ok(status) => console_error!("{{\"kind\":\"mail_failed\",\"status\":{status}}}"),
                Err(_) => console_error!("{{\"kind\":\"mail_failed\",\"cause\":\"unreachable\"}}"),
            }
        }
    }
}

async fn post_json(url: &str, token: &[u8], body: String) -> worker::Result<u16> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    headers.set(
        "Authorization",
        &format!("Bearer {}", String::from_utf8_lossy(token)),
    )?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let request = Request::new_with_init(url, &init)?;
    let response = Fetch::Request(request).send().await?;
    Ok(response.status_code())
}
