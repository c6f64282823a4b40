use super::*;
use crate::testkit::body;

#[test]
fn token_errors_are_json_with_fixed_text_and_no_store_hints() {
    let response = json(OAuthError::InvalidGrant("the code is invalid"), false);
    assert_eq!(response.status, 400);
    assert_eq!(body(&response)["error"], "invalid_grant");
    assert_eq!(body(&response)["error_description"], "the code is invalid");
    assert_eq!(response.header("Pragma"), Some("no-cache"));
}

#[test]
fn invalid_client_after_basic_names_the_scheme() {
    let response = json(OAuthError::InvalidClient, true);
    assert_eq!(response.status, 401);
    assert_eq!(
        response.header("WWW-Authenticate"),
        Some("Basic realm=\"edgeauth\"")
    );
    assert_eq!(
        json(OAuthError::InvalidClient, false).header("WWW-Authenticate"),
        None
    );
}

#[test]
fn bearer_refusals_carry_the_rfc_6750_challenge() {
    let response = bearer(OAuthError::InvalidToken);
    assert_eq!(response.status, 401);
    assert!(response
        .header("WWW-Authenticate")
        .unwrap()
        .starts_with("Bearer realm=\"edgeauth\", error=\"invalid_token\""));
    assert_eq!(bearer(OAuthError::InsufficientScope).status, 403);
}
