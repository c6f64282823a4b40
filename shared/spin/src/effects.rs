//! Carrying out the core's outcome on Spin: log line (stdout), audit events
//! (persisted through the core), mail (console, or an outbound HTTP POST).

use edgeauth_core::app::Outcome;
use edgeauth_core::config::MailTransport;
use edgeauth_core::model::mail::Mail;
use edgeauth_core::Config;

use crate::SpinServices;

pub(crate) async fn carry_out(
    outcome: Outcome,
    config: Option<&Config>,
    services: &SpinServices,
) -> http::Response<String> {
    println!("{}", outcome.log.to_json());
    if let Some(config) = config {
        if !outcome.audit.is_empty() {
            if let Err(error) =
                edgeauth_core::flows::audit::log::persist(services, config, &outcome.audit).await
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
                    .ok(),
                Err(_) => None,
            };
            match outcome {
                Some(status) if (200..300).contains(&status) => {
                    println!("{{\"kind\":\"mail\",\"transport\":\"http\",\"status\":{status}}}")
                }
                Some(status) => eprintln!("{{\"kind\":\"mail_failed\",\"status\":{status}}}"),
                None => eprintln!("{{\"kind\":\"mail_failed\",\"cause\":\"unreachable\"}}"),
            }
        }
    }
}
