use super::*;
use alloc::string::ToString;

fn weak(detail: &'static str) -> Result<String, ApiError> {
    Err(ApiError::WeakPassword(detail))
}

#[test]
fn accepts_a_long_uncommon_password_and_returns_its_normal_form() {
    assert_eq!(
        check_policy("ｃｏｒｒｅｃｔ horse battery", "alice@example.com", 12),
        Ok("correct horse battery".to_string())
    );
}

#[test]
fn counts_characters_not_bytes() {
    // 12 two-byte characters: 24 bytes, 12 characters.
    assert!(check_policy("éàüöñçéàüöñç", "a@b.c", 12).is_ok());
    assert_eq!(check_policy("éàüöñçéàüöñ", "a@b.c", 12), weak(TOO_SHORT));
}

#[test]
fn counts_length_after_nfkc() {
    // Eleven ligature characters, but NFKC makes them 33 letters: long enough.
    let ligatures = "\u{FB03}".repeat(11);
    assert!(check_policy(&ligatures, "a@b.c", 12).is_ok());
    // 257 fullwidth characters stay 257 after NFKC: too long, whatever the bytes.
    let long = "ｚ".repeat(257);
    assert_eq!(check_policy(&long, "a@b.c", 12), weak(TOO_LONG));
    assert!(check_policy(&"ｚ".repeat(256), "a@b.c", 12).is_ok());
}

#[test]
fn never_goes_below_eight_characters() {
    assert_eq!(check_policy("q7#kLm2", "a@b.c", 1), weak(TOO_SHORT));
    assert!(check_policy("q7#kLm2x", "a@b.c", 1).is_ok());
}

#[test]
fn applies_the_configured_minimum() {
    assert_eq!(check_policy("q7#kLm2xZ!", "a@b.c", 12), weak(TOO_SHORT));
    assert!(check_policy("q7#kLm2xZ!", "a@b.c", 10).is_ok());
}

#[test]
fn rejects_the_email_local_part_case_insensitively() {
    assert_eq!(
        check_policy("my-JohnSmith-secret", "johnsmith@example.com", 12),
        weak(CONTAINS_EMAIL)
    );
    assert_eq!(
        check_policy("my-johnsmith-secret", "JohnSmith@Example.com", 12),
        weak(CONTAINS_EMAIL)
    );
}

#[test]
fn rejects_the_name_of_a_sub_address() {
    assert_eq!(
        check_policy("amelia likes tea", "amelia+shop@example.com", 12),
        weak(CONTAINS_EMAIL)
    );
}

#[test]
fn ignores_local_parts_shorter_than_three_characters() {
    assert!(check_policy("a quiet jo morning", "jo@example.com", 12).is_ok());
}

#[test]
fn rejects_common_passwords_in_any_case() {
    // "password123456" is on none of the bundled public lists (docs/passwords.md);
    // these are, at ranks 59,939 and 102,856 of the SecLists top-1M list.
    for password in [
        "qwertyuiopasdf",
        "passwordpassword",
        "PassWordPassword",
        "Qwertyuiop123",
    ] {
        assert_eq!(
            check_policy(password, "a@b.c", 12),
            weak(TOO_COMMON),
            "{password}"
        );
    }
}

#[test]
fn rejects_a_fullwidth_spelling_of_a_common_password() {
    assert_eq!(
        check_policy("ｐａｓｓｗｏｒｄｐａｓｓｗｏｒｄ", "a@b.c", 12),
        weak(TOO_COMMON)
    );
}

#[test]
fn checks_length_before_the_list() {
    // "password" is common, but the first rule broken is the length.
    assert_eq!(check_policy("password", "a@b.c", 12), weak(TOO_SHORT));
}

#[test]
fn details_are_the_documented_static_texts() {
    assert_eq!(TOO_SHORT, "password is too short");
    assert_eq!(TOO_LONG, "password is too long");
    assert_eq!(CONTAINS_EMAIL, "password contains the email address");
    assert_eq!(TOO_COMMON, "password is too common");
}
