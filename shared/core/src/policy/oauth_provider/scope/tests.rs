use super::*;
use crate::testkit;

#[test]
fn parses_supported_scopes_in_order_without_duplicates() {
    let config = testkit::config(&[("OAUTH_SCOPES", "mcp:tools")]);
    assert_eq!(
        parse(&config, Some("openid  email openid mcp:tools")),
        Some(alloc::vec![
            "openid".into(),
            "email".into(),
            "mcp:tools".into()
        ])
    );
    assert_eq!(parse(&config, None), Some(alloc::vec![]));
}

#[test]
fn an_unsupported_or_malformed_scope_refuses_the_request() {
    let config = testkit::config(&[]);
    assert_eq!(parse(&config, Some("openid admin")), None);
    assert_eq!(parse(&config, Some("openid\"")), None);
    assert_eq!(parse(&config, Some("mcp:tools")), None);
}

#[test]
fn client_tokens_open_only_the_profile_and_the_documents() {
    let scopes = |list: &[&str]| {
        list.iter()
            .map(|s| alloc::string::String::from(*s))
            .collect::<alloc::vec::Vec<_>>()
    };
    assert!(allows_api(&scopes(&["profile"]), Permission::ProfileRead));
    assert!(allows_api(
        &scopes(&["documents"]),
        Permission::DocumentsUse
    ));
    assert!(!allows_api(&scopes(&["profile"]), Permission::DocumentsUse));
    let everything = scopes(&BUILT_IN);
    for permission in Permission::ALL {
        if !matches!(
            permission,
            Permission::ProfileRead | Permission::DocumentsUse
        ) {
            assert!(!allows_api(&everything, permission), "{permission:?}");
        }
    }
}
