//! The consumer of the webhook Queue (`[[queues.consumers]]` of the `api` Worker):
//! each message is one delivery; the core attempts it
//! ([`edgeauth_core::app::webhooks::consume`]) and this acknowledges it or asks the
//! Queue to retry it after the core's backoff delay.
//!
//! The batch is read through the runtime's objects (`messages`, `body`, `attempts`,
//! `ack()`, `retry({delaySeconds})`): workers-rs 0.8 does not expose a message's
//! `attempts`, which the backoff needs.
//!
//! Security considerations: a message that cannot be read is acknowledged (retrying
//! cannot fix it) with a log line; the configuration is the isolate's, so an endpoint
//! removed from it receives nothing more.

use edgeauth_core::app::webhooks::{self, Verdict};
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use worker::Env;

use crate::effects::WorkersOutput;

fn call(target: &JsValue, method: &str, args: &Array) -> Result<JsValue, JsValue> {
    let function: Function = Reflect::get(target, &method.into())?.dyn_into()?;
    function.apply(target, args)
}

/// Consumes one batch of the `WEBHOOKS` Queue.
pub async fn webhook_queue(batch: JsValue, env: Env) {
    let config = crate::isolate_config(&env);
    let services = crate::services(&env);
    let output = WorkersOutput::with(&env);
    let Ok(messages) = Reflect::get(&batch, &"messages".into()) else {
        return;
    };
    let messages: Array = messages.unchecked_into();
    for message in messages.iter() {
        let body = Reflect::get(&message, &"body".into())
            .ok()
            .and_then(|body| body.as_string())
            .unwrap_or_default();
        let attempts = Reflect::get(&message, &"attempts".into())
            .ok()
            .and_then(|attempts| attempts.as_f64())
            .map_or(1, |attempts| attempts as u32);
        let verdict = match config {
            Ok(config) => webhooks::consume(config, &services, &output, &body, attempts).await,
            // A broken configuration is fixed by a deploy: keep the message meanwhile.
            Err(_) => Verdict::Retry { delay_secs: 60 },
        };
        let _ = match verdict {
            Verdict::Ack => call(&message, "ack", &Array::new()),
            Verdict::Retry { delay_secs } => {
                let options = Object::new();
                let _ = Reflect::set(&options, &"delaySeconds".into(), &delay_secs.into());
                call(&message, "retry", &Array::of1(&options))
            }
        };
    }
}
