//! The HTTP baseline: a Rust Worker (workers-rs, like the functions) that answers
//! `200` with an empty body and does nothing else.
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(_request: Request, _env: Env, _ctx: Context) -> Result<Response> {
    Response::ok("")
}
