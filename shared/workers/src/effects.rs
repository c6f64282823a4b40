//! The Workers transport for carrying out an outcome ([`edgeauth_core::app::carry`]):
//! the console and one `fetch` POST. What is logged, persisted and sent is the core's.

use edgeauth_core::app::{NotSent, Output};
use worker::{console_error, console_log, Fetch, Headers, Method, Request, RequestInit};

/// `console.log` / `console.error`, and `fetch`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WorkersOutput;

impl Output for WorkersOutput {
    fn line(&self, line: &str, error: bool) {
        if error {
            console_error!("{line}");
        } else {
            console_log!("{line}");
        }
    }

    async fn post_json(
        &self,
        url: &str,
        authorization: &str,
        body: String,
    ) -> Result<u16, NotSent> {
        post(url, authorization, body)
            .await
            .map_err(|_| NotSent::Unreachable)
    }
}

async fn post(url: &str, authorization: &str, body: String) -> worker::Result<u16> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    headers.set("Authorization", authorization)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let request = Request::new_with_init(url, &init)?;
    let response = Fetch::Request(request).send().await?;
    Ok(response.status_code())
}
