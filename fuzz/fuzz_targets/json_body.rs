//! Strict JSON request bodies (`http::body`): the parser never panics, failures are
//! `400` with a fixed detail, and anything accepted round-trips. The request types
//! mirror docs/contract.md §5 with `deny_unknown_fields`. Input: the raw body.
#![no_main]
use edgeauth_core::{http::body, ApiError};
use edgeauth_fuzz::json_types::{check_parse, Login, MfaLogin, Refresh, Register};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    check_parse::<Login>(data);
    check_parse::<Register>(data);
    check_parse::<MfaLogin>(data);
    check_parse::<Refresh>(data);
    if let Err(error) = body::check_length(&String::from_utf8_lossy(data), 1, 256, "len") {
        assert_eq!(error, ApiError::InvalidRequest("len"));
    }
});
