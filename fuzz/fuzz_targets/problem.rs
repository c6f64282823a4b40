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
        // Every field but `request_id`, which echoes the caller's id and may contain
        // any text (a crash once: the id `…demail…` and the cause `email`).
        let mut fields: serde_json::Value =
            serde_json::from_slice(&response.body).expect("problem body is JSON");
        if let Some(object) = fields.as_object_mut() {
            object.remove("request_id");
        }
        let strings = fields
            .as_object()
            .into_iter()
            .flat_map(|object| object.values())
            .filter_map(serde_json::Value::as_str);
        for text in strings {
            assert!(!text.contains(cause), "internal cause in a problem field: {text}");
        }
    }
});
