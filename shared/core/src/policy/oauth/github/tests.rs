use super::*;

#[test]
fn the_subject_is_the_numeric_account_id() {
    assert_eq!(
        subject(br#"{"id":583231,"login":"octocat"}"#).as_deref(),
        Some("583231")
    );
    assert_eq!(subject(br#"{"id":"583231"}"#), None);
    assert_eq!(subject(br#"{"login":"octocat"}"#), None);
    assert_eq!(subject(br#"{"id":0}"#), None);
}

#[test]
fn only_a_verified_primary_address_counts() {
    let verified = br#"[{"email":"other@example.com","primary":false,"verified":true},
                       {"email":"octo@example.com","primary":true,"verified":true}]"#;
    assert_eq!(
        verified_primary_email(verified).as_deref(),
        Some("octo@example.com")
    );
    let unverified_primary = br#"[{"email":"octo@example.com","primary":true,"verified":false},
                                  {"email":"other@example.com","primary":false,"verified":true}]"#;
    assert_eq!(verified_primary_email(unverified_primary), None);
    assert_eq!(verified_primary_email(b"[]"), None);
    assert_eq!(
        verified_primary_email(br#"[{"email":"a@b.c","primary":"yes","verified":true}]"#),
        None
    );
    assert_eq!(verified_primary_email(b"not json"), None);
}
