use super::*;

#[test]
fn notices_keep_the_lines_adapters_used_to_write_by_hand() {
    let cases = [
        (
            Notice::AuditPersistFailed {
                cause: "kv timeout",
            },
            r#"{"kind":"audit_persist_failed","cause":"kv timeout"}"#,
            true,
        ),
        (
            Notice::Mail {
                transport: "http",
                status: 202,
            },
            r#"{"kind":"mail","transport":"http","status":202}"#,
            false,
        ),
        (
            Notice::MailFailed {
                status: Some(500),
                cause: None,
                hint: None,
            },
            r#"{"kind":"mail_failed","status":500}"#,
            true,
        ),
        (
            Notice::MailFailed {
                status: None,
                cause: Some("unreachable"),
                hint: None,
            },
            r#"{"kind":"mail_failed","cause":"unreachable"}"#,
            true,
        ),
        (
            Notice::RetentionSweep {
                report: Some(serde_json::json!({"unverified_removed": 2})),
                error: None,
            },
            r#"{"kind":"retention_sweep","report":{"unverified_removed":2}}"#,
            false,
        ),
        (
            Notice::RetentionSweep {
                report: None,
                error: Some("configuration invalid"),
            },
            r#"{"kind":"retention_sweep","error":"configuration invalid"}"#,
            true,
        ),
    ];
    for (notice, line, error) in cases {
        assert_eq!(notice.to_json(), line);
        assert_eq!(notice.is_error(), error, "{line}");
    }
}

#[test]
fn a_cause_with_quotes_stays_valid_json() {
    // The hand-built lines did not escape; these do.
    let line = Notice::AuditPersistFailed {
        cause: "a \"quoted\" cause",
    }
    .to_json();
    let parsed: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(parsed["cause"], "a \"quoted\" cause");
}
