use super::*;
use alloc::format;

fn refused(result: Result<(), ApiError>) -> bool {
    matches!(result, Err(ApiError::InvalidRequest(_)))
}

#[test]
fn passwords_up_to_the_policy_maximum_pass() {
    assert!(password("x", PasswordField::Password).is_ok());
    assert!(password(&"é".repeat(256), PasswordField::Password).is_ok());
    assert!(password("tab-free, space ok", PasswordField::New).is_ok());
    assert!(refused(password(&"x".repeat(257), PasswordField::Password)));
    assert!(refused(password(
        &"x".repeat(1000),
        PasswordField::Password
    )));
    assert!(refused(password("", PasswordField::Current)));
}

#[test]
fn passwords_with_control_characters_are_refused() {
    for control in [
        '\u{0}', '\u{7}', '\t', '\n', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}',
    ] {
        let value = format!("correct horse{control}battery");
        assert!(
            refused(password(&value, PasswordField::Password)),
            "{:?}",
            control
        );
    }
}

#[test]
fn details_name_the_field_never_the_value() {
    let Err(ApiError::InvalidRequest(detail)) =
        password("secret\u{0}value", PasswordField::Current)
    else {
        panic!("refused");
    };
    assert!(detail.starts_with("current_password:"));
    assert!(!detail.contains("secret"));
}

#[test]
fn emails_are_checked_for_length_controls_and_syntax() {
    assert_eq!(email(" Alice@Example.com ").unwrap(), "alice@example.com");
    let longest = format!("{}@{}.com", "a".repeat(64), "b".repeat(185));
    assert_eq!(longest.len(), 254);
    assert!(email(&longest).is_ok());
    for bad in [
        String::new(),
        format!("{}@{}.com", "a".repeat(64), "b".repeat(186)),
        "alice@example.com\u{0}".into(),
        "ali\u{0}ce@example.com".into(),
        "\talice@example.com".into(),
        "alice@exa\u{85}mple.com".into(),
        "not-an-address".into(),
        "a@b@c".into(),
        "a".repeat(1000),
    ] {
        assert!(
            matches!(email(&bad), Err(ApiError::InvalidRequest(_))),
            "{bad:?}"
        );
    }
}
