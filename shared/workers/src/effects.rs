//! The Workers transport for carrying out an outcome ([`edgeauth_core::app::carry`]):
//! the console and one `fetch` POST. What is logged, persisted and sent is the core's.
//!
//! A log line (a JSON object, built by the core) reaches `console.log` as the object it
//! encodes, not as its text: Workers Logs and tails keep its fields either way, and
//! workerd spends far more CPU on a JSON-looking string than on an object — measured at
//! about a third of a `GET /api/me` (docs/benchmarks.md, levers). Text that is not a
//! JSON object is logged as it is.

use edgeauth_core::app::{NotSent, Output};
use worker::{console_error, console_log, Fetch, Headers, Method, Request, RequestInit};

/// `console.log` / `console.error`, and `fetch`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WorkersOutput;

impl Output for WorkersOutput {
    fn line(&self, line: &str, error: bool) {
        let object = line
            .starts_with('{')
            .then(|| js_sys::JSON::parse(line).ok())
            .flatten();
        match (object, error) {
            (Some(object), false) => web_sys::console::log_1(&object),
            (Some(object), true) => web_sys::console::error_1(&object),
            (None, false) => console_log!("{line}"),
            (None, true) => console_error!("{line}"),
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
