//! The Spin transport for carrying out an outcome ([`edgeauth_core::app::carry`]):
//! stdout/stderr and outbound HTTP POSTs. What is logged, persisted and sent is the
//! core's; this module only tells the core why a POST did not leave ([`NotSent`]),
//! so that a refused outbound host (`allowed_outbound_hosts`, derived from the
//! `mail_origin`, `webhook_origin` and `sentry_origin` variables in `spin.toml`) is
//! logged as such. Spin has no queue and no analytics store: webhooks are attempted
//! at once with retry records kept by the core, and metrics are the request lines.

use edgeauth_core::app::{NotSent, Output};
use spin_sdk::wasip3::http::types::ErrorCode;

/// `println!` / `eprintln!`, and `spin_sdk::http::send`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpinOutput;

impl Output for SpinOutput {
    fn line(&self, line: &str, error: bool) {
        if error {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    }

    async fn post(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: String,
    ) -> Result<u16, NotSent> {
        let mut builder = http::Request::post(url);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder.body(body).map_err(|_| NotSent::InvalidUrl)?;
        spin_sdk::http::send(request)
            .await
            .map(|response| response.status().as_u16())
            .map_err(|code| match code {
                ErrorCode::HttpRequestDenied => NotSent::OutboundDenied,
                _ => NotSent::Unreachable,
            })
    }
}
