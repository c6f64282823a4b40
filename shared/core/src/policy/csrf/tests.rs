//! The CSRF policy case by case: token binding, double submit, `Origin`, exemptions.

use alloc::string::String;
use proptest::prelude::*;

use crate::error::ApiError;
use crate::http::Method;
use crate::policy::csrf::{self, check, check_origin, token_for, CsrfParts, Via};
use crate::testkit::{self, request, RequestExt, ALLOWED, ORIGIN};

const SESSION: &str = "fedcba9876543210fedcba9876543210";
const OTHER_SESSION: &str = "00000000000000000000000000000001";

fn parts<'a>(
    via: Via,
    origin: Option<&'a str>,
    header: Option<&'a str>,
    cookie: Option<&'a str>,
) -> CsrfParts<'a> {
    CsrfParts {
        method: Method::Post,
        via,
        origin,
        header_token: header,
        cookie_token: cookie,
        session_id: SESSION,
    }
}

#[test]
fn accepts_cookie_request_with_matching_bound_token_and_our_origin() {
    let config = testkit::config(&[]);
    let token = token_for(&config, SESSION);
    for origin in [None, Some(ORIGIN), Some(ALLOWED)] {
        assert_eq!(
            check(
                &config,
                &parts(Via::Cookie, origin, Some(&token), Some(&token))
            ),
            Ok(()),
            "{origin:?}"
        );
    }
}

#[test]
fn rejects_missing_token_header_or_cookie() {
    let config = testkit::config(&[]);
    let token = token_for(&config, SESSION);
    for (header, cookie) in [
        (None, Some(token.as_str())),
        (Some(token.as_str()), None),
        (None, None),
    ] {
        assert_eq!(
            check(&config, &parts(Via::Cookie, None, header, cookie)),
            Err(ApiError::CsrfFailed)
        );
    }
}

#[test]
fn rejects_wrong_token_even_when_header_equals_cookie() {
    let config = testkit::config(&[]);
    let wrong = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert_eq!(
        check(&config, &parts(Via::Cookie, None, Some(wrong), Some(wrong))),
        Err(ApiError::CsrfFailed)
    );
    assert_eq!(
        check(&config, &parts(Via::Cookie, None, Some(""), Some(""))),
        Err(ApiError::CsrfFailed)
    );
}

#[test]
fn rejects_header_that_differs_from_the_cookie() {
    let config = testkit::config(&[]);
    let token = token_for(&config, SESSION);
    let other = token_for(&config, OTHER_SESSION);
    assert_eq!(
        check(
            &config,
            &parts(Via::Cookie, None, Some(&token), Some(&other))
        ),
        Err(ApiError::CsrfFailed)
    );
}

#[test]
fn rejects_the_token_of_another_session() {
    let config = testkit::config(&[]);
    let other = token_for(&config, OTHER_SESSION);
    assert_eq!(
        check(
            &config,
            &parts(Via::Cookie, None, Some(&other), Some(&other))
        ),
        Err(ApiError::CsrfFailed)
    );
}

#[test]
fn rejects_foreign_or_null_origin_even_with_a_valid_token() {
    let config = testkit::config(&[]);
    let token = token_for(&config, SESSION);
    for origin in [
        "https://evil.example",
        "null",
        "https://app.example.com.evil.example",
        "http://app.example.com",
        "https://app.example.com:8443",
    ] {
        assert_eq!(
            check(
                &config,
                &parts(Via::Cookie, Some(origin), Some(&token), Some(&token))
            ),
            Err(ApiError::CsrfFailed),
            "{origin}"
        );
    }
}

#[test]
fn bearer_requests_are_exempt() {
    let config = testkit::config(&[]);
    assert_eq!(
        check(
            &config,
            &parts(Via::Bearer, Some("https://evil.example"), None, None)
        ),
        Ok(())
    );
}

#[test]
fn safe_methods_are_exempt() {
    let config = testkit::config(&[]);
    for method in [Method::Get, Method::Head, Method::Options] {
        let mut p = parts(Via::Cookie, Some("https://evil.example"), None, None);
        p.method = method;
        assert_eq!(check(&config, &p), Ok(()));
    }
    for method in [Method::Post, Method::Put, Method::Patch, Method::Delete] {
        let mut p = parts(Via::Cookie, None, None, None);
        p.method = method;
        assert_eq!(check(&config, &p), Err(ApiError::CsrfFailed));
    }
}

#[test]
fn tokens_of_a_rotated_out_data_key_verify_while_the_key_is_in_the_ring() {
    // data-1 active: a page loaded before the rotation holds a data-1 token.
    let before = testkit::config(&[(
        "DATA_ENCRYPTION_KEYS",
        "data-1:7rpAkmsWGjVxwmG0gHkb4PsVjAMLiezd_Ys3xF3wobA",
    )]);
    let old = token_for(&before, SESSION);
    let during = testkit::config(&[]);
    assert_ne!(token_for(&during, SESSION), old);
    assert_eq!(
        check(&during, &parts(Via::Cookie, None, Some(&old), Some(&old))),
        Ok(())
    );
    let after = testkit::config(&[(
        "DATA_ENCRYPTION_KEYS",
        "data-2:qHMKllDMn1NVFNL_Acb7sKILIFz9nBuOi8ncSknWMRQ",
    )]);
    assert_eq!(
        check(&after, &parts(Via::Cookie, None, Some(&old), Some(&old))),
        Err(ApiError::CsrfFailed)
    );
}

#[test]
fn login_origin_rule_allows_absent_own_and_listed_origins_only() {
    let config = testkit::config(&[]);
    let req = |origin: Option<&str>| {
        let r = request(Method::Post, "/auth/login");
        match origin {
            Some(o) => r.header("Origin", o),
            None => r,
        }
    };
    assert_eq!(check_origin(&config, &req(None)), Ok(()));
    assert_eq!(check_origin(&config, &req(Some(ORIGIN))), Ok(()));
    assert_eq!(check_origin(&config, &req(Some(ALLOWED))), Ok(()));
    assert_eq!(
        check_origin(&config, &req(Some("https://evil.example"))),
        Err(ApiError::CsrfFailed)
    );
}

proptest! {
    #[test]
    fn passes_only_with_the_bound_token_in_both_places_and_a_good_origin(
        header in proptest::option::of("[A-Za-z0-9_-]{0,44}"),
        cookie in proptest::option::of("[A-Za-z0-9_-]{0,44}"),
        use_real_header in any::<bool>(),
        use_real_cookie in any::<bool>(),
        origin in proptest::option::of(prop_oneof![
            Just(String::from(ORIGIN)),
            Just(String::from(ALLOWED)),
            "https://[a-z]{1,10}\\.example",
        ]),
    ) {
        let config = testkit::config(&[]);
        let real = token_for(&config, SESSION);
        let header = if use_real_header { Some(real.clone()) } else { header };
        let cookie = if use_real_cookie { Some(real.clone()) } else { cookie };
        let p = CsrfParts {
            method: Method::Post,
            via: Via::Cookie,
            origin: origin.as_deref(),
            header_token: header.as_deref(),
            cookie_token: cookie.as_deref(),
            session_id: SESSION,
        };
        let origin_ok = origin.as_deref().is_none_or(|o| o == ORIGIN || o == ALLOWED);
        let expected = origin_ok
            && header.as_deref() == Some(real.as_str())
            && cookie.as_deref() == Some(real.as_str());
        prop_assert_eq!(check(&config, &p).is_ok(), expected);
    }
}

// --- authentication through whole requests ------------------------------------

#[test]
fn csrf_parts_are_read_from_the_request() {
    let config = testkit::config(&[]);
    let token = token_for(&config, SESSION);
    let req = request(Method::Post, "/auth/session/logout")
        .cookies(&[("__Host-csrf", &token)])
        .header("X-CSRF-Token", &token)
        .header("Origin", ORIGIN);
    let p = CsrfParts::of(&req, Via::Cookie, SESSION);
    assert_eq!(p.cookie_token, Some(token.as_str()));
    assert_eq!(p.header_token, Some(token.as_str()));
    assert_eq!(p.origin, Some(ORIGIN));
    assert_eq!(csrf::check(&config, &p), Ok(()));
}
