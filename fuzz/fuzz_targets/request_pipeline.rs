//! The whole request pipeline (`app::serve`) of the function owning the path, over an
//! arbitrary method, URL, headers and body: every response keeps the layer's invariants
//! (security headers, request id, problem bodies, `Allow`, no `*` grant), no credential
//! reaches the log, and nothing is a 5xx. Input: a text request (see `pipeline`).
#![no_main]
use edgeauth_fuzz::{check_layer_response, development_config, pipeline::serve};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (request, outcome) = serve(&development_config(), data);
    check_layer_response(
        &outcome.response,
        request.method == edgeauth_core::Method::Head,
    );
    assert!(
        outcome.response.status < 500,
        "{request:?} -> {}",
        outcome.response.status
    );
});
