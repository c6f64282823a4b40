//! Problem bodies (`http::problem::problem_response`) over every `ApiError` variant and
//! arbitrary request ids: always the contract's shape, never the internal cause.
//! Input: variant byte, text byte, 8 bytes of Retry-After, then the request id.
#![no_main]
use edgeauth_core::http::problem::problem_response;
use edgeauth_fuzz::{check_problem, errors::api_error};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((head, id)) = data.split_at_checked(10) else {
        return;
    };
    let retry = u64::from_le_bytes(head[2..10].try_into().unwrap_or_default());
    let (error, request_id) = (
        api_error(head[0], head[1], retry),
        String::from_utf8_lossy(id),
    );
    let response = problem_response(&error, &request_id);
    let body = check_problem(&response);
    assert_eq!(
        (body.code.as_str(), body.request_id.as_str()),
        (error.code(), &*request_id)
    );
    if let Some(cause) = error.internal_cause().filter(|cause| !cause.is_empty()) {
        assert!(!String::from_utf8_lossy(&response.body).contains(cause));
    }
});
