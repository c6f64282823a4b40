//! The ID-token claim checks as a table: one valid token, and one change per row that
//! must be refused with its reason.

use super::*;
use serde_json::{json, Value};

const ISSUER: &str = "https://idp.example.com";
const CLIENT: &str = "edgeauth-client";
const NONCE: &str = "n-0S6_WzA2Mj";
const NOW: u64 = 1_767_225_600;

fn valid() -> Value {
    json!({
        "iss": ISSUER, "sub": "248289761001", "aud": CLIENT, "exp": NOW + 300,
        "iat": NOW - 10, "nonce": NONCE, "email": "Jane@Example.com", "email_verified": true,
    })
}

fn expected() -> Expected<'static> {
    Expected {
        issuer: IssuerRule::Exact(ISSUER),
        client_id: CLIENT,
        nonce: NONCE,
        now_secs: NOW,
    }
}

fn run(claims: &Value) -> Result<IdClaims, ClaimsError> {
    check(&serde_json::to_vec(claims).unwrap(), &expected())
}

fn with(change: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let mut claims = valid();
    change(claims.as_object_mut().unwrap());
    claims
}

#[test]
fn accepts_a_valid_token_and_reads_its_subject_and_address() {
    let claims = run(&valid()).unwrap();
    assert_eq!(claims.subject, "248289761001");
    assert_eq!(claims.email.as_deref(), Some("Jane@Example.com"));
    assert!(claims.email_verified);
    // An array audience holding only us, and azp naming us, are fine.
    assert!(run(&with(|c| {
        c.insert("aud".into(), json!([CLIENT]));
        c.insert("azp".into(), json!(CLIENT));
    }))
    .is_ok());
    // Leeway: just expired within 60 s, issued a little in the future.
    assert!(run(&with(|c| {
        c.insert("exp".into(), json!(NOW - 30));
        c.insert("iat".into(), json!(NOW + 30));
    }))
    .is_ok());
}

#[test]
fn refuses_each_invalid_claim_with_its_reason() {
    let table: alloc::vec::Vec<(&str, Value, ClaimsError)> = alloc::vec![
        (
            "other issuer",
            with(|c| {
                c.insert("iss".into(), json!("https://evil.example.com"));
            }),
            ClaimsError::Issuer
        ),
        (
            "issuer with a trailing slash",
            with(|c| {
                c.insert("iss".into(), json!("https://idp.example.com/"));
            }),
            ClaimsError::Issuer
        ),
        (
            "other audience",
            with(|c| {
                c.insert("aud".into(), json!("another-client"));
            }),
            ClaimsError::Audience
        ),
        (
            "an extra audience",
            with(|c| {
                c.insert("aud".into(), json!([CLIENT, "another-client"]));
            }),
            ClaimsError::Audience
        ),
        (
            "empty audience list",
            with(|c| {
                c.insert("aud".into(), json!([]));
            }),
            ClaimsError::Audience
        ),
        (
            "azp of another client",
            with(|c| {
                c.insert("azp".into(), json!("another-client"));
            }),
            ClaimsError::AuthorizedParty
        ),
        (
            "expired",
            with(|c| {
                c.insert("exp".into(), json!(NOW - 61));
            }),
            ClaimsError::Expired
        ),
        (
            "issued in the future",
            with(|c| {
                c.insert("iat".into(), json!(NOW + 61));
            }),
            ClaimsError::IssuedAt
        ),
        (
            "issued too long ago",
            with(|c| {
                c.insert("iat".into(), json!(NOW - MAX_AGE_SECS - 1));
            }),
            ClaimsError::IssuedAt
        ),
        (
            "other nonce",
            with(|c| {
                c.insert("nonce".into(), json!("another-nonce"));
            }),
            ClaimsError::Nonce
        ),
        (
            "no nonce",
            with(|c| {
                c.remove("nonce");
            }),
            ClaimsError::Nonce
        ),
        (
            "no subject",
            with(|c| {
                c.remove("sub");
            }),
            ClaimsError::Malformed
        ),
        (
            "empty subject",
            with(|c| {
                c.insert("sub".into(), json!(""));
            }),
            ClaimsError::Malformed
        ),
        (
            "subject with a control character",
            with(|c| {
                c.insert("sub".into(), json!("a\u{0}b"));
            }),
            ClaimsError::Malformed
        ),
        (
            "subject too long",
            with(|c| {
                c.insert("sub".into(), json!("s".repeat(256)));
            }),
            ClaimsError::Malformed
        ),
        (
            "exp as text",
            with(|c| {
                c.insert("exp".into(), json!("9999999999"));
            }),
            ClaimsError::Malformed
        ),
        (
            "no exp",
            with(|c| {
                c.remove("exp");
            }),
            ClaimsError::Malformed
        ),
        (
            "no iat",
            with(|c| {
                c.remove("iat");
            }),
            ClaimsError::Malformed
        ),
        (
            "no aud",
            with(|c| {
                c.remove("aud");
            }),
            ClaimsError::Malformed
        ),
        (
            "no iss",
            with(|c| {
                c.remove("iss");
            }),
            ClaimsError::Malformed
        ),
    ];
    for (name, claims, reason) in table {
        assert_eq!(run(&claims), Err(reason), "{name}");
    }
}

#[test]
fn email_verified_is_true_only_when_said_so() {
    for (value, verified) in [
        (json!(true), true),
        (json!("true"), true),
        (json!(false), false),
        (json!("false"), false),
        (json!("yes"), false),
        (json!(1), false),
        (Value::Null, false),
    ] {
        let claims = with(|c| {
            c.insert("email_verified".into(), value.clone());
        });
        let verified_read = run(&claims).map(|claims| claims.email_verified);
        assert_eq!(verified_read.unwrap_or(false), verified, "{value}");
    }
    assert!(
        !run(&with(|c| {
            c.remove("email_verified");
        }))
        .unwrap()
        .email_verified
    );
}

#[test]
fn entra_tokens_are_matched_against_the_template_and_their_tid() {
    let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    let rule = Expected {
        issuer: IssuerRule::Entra {
            issuer: "https://login.microsoftonline.com/{tenantid}/v2.0",
            tenant: "common",
        },
        ..expected()
    };
    let token = with(|c| {
        c.insert(
            "iss".into(),
            json!(alloc::format!(
                "https://login.microsoftonline.com/{tenant}/v2.0"
            )),
        );
        c.insert("tid".into(), json!(tenant));
    });
    assert!(check(&serde_json::to_vec(&token).unwrap(), &rule).is_ok());
    let forged = with(|c| {
        c.insert(
            "iss".into(),
            json!(alloc::format!(
                "https://login.microsoftonline.com/{tenant}/v2.0"
            )),
        );
        c.insert("tid".into(), json!("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"));
    });
    assert_eq!(
        check(&serde_json::to_vec(&forged).unwrap(), &rule),
        Err(ClaimsError::Issuer)
    );
}
