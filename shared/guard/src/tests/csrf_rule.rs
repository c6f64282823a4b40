//! Cookie writes: the `Origin` and double submit here, the binding by edgeauth.

use super::*;

/// A cookie request from a page, with `csrf_header` as `X-CSRF-Token`.
fn cookie(
    fixture: &Fixture,
    method: Method,
    csrf_header: Option<&str>,
    origin: Option<&str>,
) -> Request {
    let mut request = with_header(
        request(method),
        "Cookie",
        &format!(
            "__Host-access={}; __Host-csrf={}",
            fixture.token(),
            fixture.csrf()
        ),
    );
    if let Some(value) = csrf_header {
        request = with_header(request, "X-CSRF-Token", value);
    }
    if let Some(origin) = origin {
        request = with_header(request, "Origin", origin);
    }
    request
}

#[test]
fn a_cookie_write_needs_the_csrf_header_equal_to_the_cookie() {
    let fixture = Fixture::new();
    let csrf = fixture.csrf();
    assert_eq!(
        fixture.check(&cookie(&fixture, Method::Post, None, None)),
        Err(ApiError::CsrfFailed)
    );
    assert_eq!(
        fixture.check(&cookie(&fixture, Method::Post, Some("x"), None)),
        Err(ApiError::CsrfFailed)
    );
    assert_eq!(
        fixture.edgeauth.calls("/auth/introspect"),
        0,
        "refused before asking"
    );
    let principal = fixture
        .check(&cookie(&fixture, Method::Post, Some(&csrf), Some(ORIGIN)))
        .unwrap();
    assert_eq!(principal.via, Via::Cookie);
    assert!(
        fixture
            .edgeauth
            .calls
            .borrow()
            .iter()
            .any(|call| call.contains(&csrf)),
        "the binding is edgeauth's to check: the token went along"
    );
}

#[test]
fn a_cookie_write_from_another_origin_is_refused() {
    let fixture = Fixture::new();
    let csrf = fixture.csrf();
    for origin in ["https://evil.example.net", "null", APP] {
        assert_eq!(
            fixture.check(&cookie(&fixture, Method::Delete, Some(&csrf), Some(origin))),
            Err(ApiError::CsrfFailed),
            "{origin}"
        );
    }
    let allowing = Fixture::with(&[("EDGEAUTH_ALLOWED_ORIGINS", APP)]);
    let csrf = allowing.csrf();
    assert!(allowing
        .check(&cookie(&allowing, Method::Delete, Some(&csrf), Some(APP)))
        .is_ok());
}

#[test]
fn a_matching_pair_that_is_not_the_sessions_is_refused_by_edgeauth() {
    let fixture = Fixture::new();
    // Cookie tossing: the attacker chose both the cookie and the header.
    let request = with_header(
        with_header(
            request(Method::Post),
            "Cookie",
            &format!("__Host-access={}; __Host-csrf=chosen", fixture.token()),
        ),
        "X-CSRF-Token",
        "chosen",
    );
    assert_eq!(fixture.check(&request), Err(ApiError::CsrfFailed));
}

#[test]
fn bearer_requests_and_cookie_reads_are_exempt() {
    let fixture = Fixture::new();
    assert!(fixture
        .check(&bearer(Method::Post, &fixture.token()))
        .is_ok());
    assert!(fixture
        .check(&cookie(
            &fixture,
            Method::Get,
            None,
            Some("https://evil.example.net")
        ))
        .is_ok());
}
