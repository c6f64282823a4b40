//! The Workers transport for carrying out an outcome ([`edgeauth_core::app::carry`]):
//! the console, `fetch`, the webhook Queue (binding [`WEBHOOKS_BINDING`]) and the
//! Analytics Engine dataset (binding [`METRICS_BINDING`]). What is logged, sent,
//! queued and written is the core's. Webhooks need the Queue (without it they are
//! dropped with a `webhook_dropped` line; their `alert` lines remain); without the
//! dataset, metrics go to the log and the store only.
//!
//! A log line (a JSON object, built by the core) reaches `console.log` as the object it
//! encodes, not as its text: Cloudflare documents that Workers Logs extracts and indexes
//! the fields of a logged object. (With workerd 2026-07-30 the text measured cheaper
//! locally, about an eighth of `GET /api/me`: docs/benchmarks.md, levers; the fields
//! are the point of the line.) Text that is not a JSON object is logged as it is.

use edgeauth_core::app::{DataPoint, NotSent, Output};
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::{console_error, console_log, Env, Fetch, Headers, Method, Request, RequestInit};

/// The Queue producer binding webhook deliveries go to (`[[queues.producers]]`).
pub const WEBHOOKS_BINDING: &str = "WEBHOOKS";
/// The Analytics Engine dataset binding metrics go to (`[[analytics_engine_datasets]]`).
pub const METRICS_BINDING: &str = "METRICS";

/// `console.log` / `console.error`, `fetch`, and the optional bindings of `env`.
#[derive(Debug, Clone)]
pub(crate) struct WorkersOutput {
    env: Option<Env>,
}

impl WorkersOutput {
    /// With the Queue and Analytics Engine bindings of `env`, where configured.
    pub(crate) fn with(env: &Env) -> Self {
        Self {
            env: Some(env.clone()),
        }
    }

    /// A binding of `env` by name, when configured.
    fn binding(&self, name: &str) -> Option<JsValue> {
        let env: &JsValue = self.env.as_ref()?.as_ref();
        Reflect::get(env, &name.into())
            .ok()
            .filter(|value| !value.is_undefined() && !value.is_null())
    }
}

/// Calls `target.method(args…)`.
fn call(target: &JsValue, method: &str, args: &Array) -> Result<JsValue, JsValue> {
    let function: Function = Reflect::get(target, &method.into())?.dyn_into()?;
    function.apply(target, args)
}

impl Output for WorkersOutput {
    // Deliveries go to the `WEBHOOKS` Queue; without the binding they are dropped
    // with a line (the doctor requires the binding when endpoints are configured).
    const QUEUE: bool = true;

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

    async fn post(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: String,
    ) -> Result<u16, NotSent> {
        post(url, headers, body)
            .await
            .map_err(|_| NotSent::Unreachable)
    }

    async fn enqueue(&self, messages: &[String]) -> bool {
        let Some(queue) = self.binding(WEBHOOKS_BINDING) else {
            return false;
        };
        let batch = Array::new();
        for message in messages {
            let entry = Object::new();
            let set = Reflect::set(&entry, &"body".into(), &message.into())
                .and_then(|_| Reflect::set(&entry, &"contentType".into(), &"text".into()));
            if set.is_err() {
                return false;
            }
            batch.push(&entry);
        }
        let Ok(promise) = call(&queue, "sendBatch", &Array::of1(&batch)) else {
            return false;
        };
        JsFuture::from(js_sys::Promise::from(promise)).await.is_ok()
    }

    fn data_points(&self, points: &[DataPoint]) {
        let Some(dataset) = self.binding(METRICS_BINDING) else {
            return;
        };
        for point in points {
            let object = Object::new();
            let blobs: Array = point
                .blobs
                .iter()
                .map(|b| JsValue::from(b.as_str()))
                .collect();
            let doubles: Array = point.doubles.iter().map(|d| JsValue::from(*d)).collect();
            let indexes = Array::of1(&point.index.as_str().into());
            let written = Reflect::set(&object, &"blobs".into(), &blobs)
                .and_then(|_| Reflect::set(&object, &"doubles".into(), &doubles))
                .and_then(|_| Reflect::set(&object, &"indexes".into(), &indexes))
                .and_then(|_| call(&dataset, "writeDataPoint", &Array::of1(&object)));
            if written.is_err() {
                console_error!(
                    r#"{{"kind":"monitor_failed","task":"analytics_engine","cause":"writeDataPoint failed"}}"#
                );
                return;
            }
        }
    }
}

async fn post(url: &str, headers: &[(&str, &str)], body: String) -> worker::Result<u16> {
    let request_headers = Headers::new();
    for (name, value) in headers {
        request_headers.set(name, value)?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(request_headers)
        .with_body(Some(body.into()));
    let request = Request::new_with_init(url, &init)?;
    let response = Fetch::Request(request).send().await?;
    Ok(response.status_code())
}
