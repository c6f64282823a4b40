//! The Spin transport for carrying out an outcome ([`edgeauth_core::app::carry`]):
//! stdout/stderr and one outbound HTTP POST. What is logged, persisted and sent is
//! the core's; this module only tells the core why a POST did not leave
//! ([`NotSent`]), so that a refused outbound host (`allowed_outbound_hosts`, derived
//! from the `mail_origin` variable in `spin.toml`) is logged as such.

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

    async fn post_json(
        &self,
        url: &str,
        authorization: &str,
        body: String,
    ) -> Result<u16, NotSent> {
        let request = http::Request::post(url)
            .header("content-type", "application/json")
            .header("authorization", authorization)
            .body(body)
            .map_err(|_| NotSent::InvalidUrl)?;
        spin_sdk::http::send(request)
            .await
            .map(|response| response.status().as_u16())
            .map_err(|code| match code {
                ErrorCode::HttpRequestDenied => NotSent::OutboundDenied,
                _ => NotSent::Unreachable,
            })
    }
}
