use super::*;
use crate::testkit;
use alloc::collections::BTreeMap;
use alloc::string::ToString;

fn event(kind: AuditKind, detail: &[(&str, &str)]) -> AuditEvent {
    AuditEvent {
        id: "0123456789abcdef0123456789abcdef".into(),
        at: "2026-01-01T00:00:00.000Z".into(),
        event: kind,
        actor_id: Some("admin1".into()),
        subject_id: Some("user1".into()),
        ip_prefix: Some("203.0.113.0/24".into()),
        user_agent: Some(
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0".into(),
        ),
        request_id: "req1".into(),
        detail: detail
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
    }
}

fn kind_of(config: &Config, event: &AuditEvent) -> Option<AlertKind> {
    from_audit(config, event, 0).map(|alert| alert.kind)
}

#[test]
fn security_events_raise_their_alerts() {
    let config = testkit::config(&[]);
    for (kind, detail, alert) in [
        (AuditKind::Lockout, &[][..], AlertKind::LockoutEngaged),
        (
            AuditKind::RefreshReuseDetected,
            &[],
            AlertKind::RefreshReuseDetected,
        ),
        (
            AuditKind::RoleChanged,
            &[("granted", "admin")],
            AlertKind::RoleChanged,
        ),
        (AuditKind::UserDisabled, &[], AlertKind::UserDisabled),
        (
            AuditKind::AllSessionsRevoked,
            &[],
            AlertKind::KillSwitchPulled,
        ),
        (
            AuditKind::SigningKeyRotated,
            &[("kid", "k2")],
            AlertKind::SigningKeyRotated,
        ),
        (
            AuditKind::DataKeysSwept,
            &[("dry_run", "false")],
            AlertKind::DataKeysSwept,
        ),
        (
            AuditKind::LoginSucceeded,
            &[("new_device", "true")],
            AlertKind::NewDeviceSignIn,
        ),
        (
            AuditKind::LoginSucceeded,
            &[("new_country", "DE")],
            AlertKind::NewDeviceSignIn,
        ),
        (
            AuditKind::CompromiseReported,
            &[],
            AlertKind::CompromiseReported,
        ),
    ] {
        assert_eq!(
            kind_of(&config, &event(kind, detail)),
            Some(alert),
            "{kind:?}"
        );
    }
}

#[test]
fn routine_events_raise_nothing() {
    let config = testkit::config(&[]);
    for (kind, detail) in [
        (AuditKind::LoginSucceeded, &[("mode", "cookie")][..]),
        (AuditKind::LoginFailed, &[]),
        (AuditKind::DataKeysSwept, &[("dry_run", "true")]),
        (AuditKind::Register, &[]),
        (AuditKind::UserEnabled, &[]),
        (
            AuditKind::MfaFailed,
            &[("stage", "confirm"), ("wrong_codes", "3")],
        ),
    ] {
        assert_eq!(kind_of(&config, &event(kind, detail)), None, "{kind:?}");
    }
}

#[test]
fn mfa_failures_alert_once_when_a_token_reaches_the_threshold() {
    let config = testkit::config(&[("ALERT_MFA_FAILURES", "2")]);
    let at = |wrong: &str| {
        kind_of(
            &config,
            &event(
                AuditKind::MfaFailed,
                &[("stage", "login"), ("wrong_codes", wrong)],
            ),
        )
    };
    assert_eq!(at("1"), None);
    assert_eq!(at("2"), Some(AlertKind::MfaFailuresExceeded));
    assert_eq!(at("3"), None);
}

#[test]
fn the_alert_mirrors_the_event_with_a_device_summary_not_the_user_agent() {
    let config = testkit::config(&[]);
    let alert = from_audit(
        &config,
        &event(AuditKind::Lockout, &[("lock_number", "1")]),
        42,
    )
    .unwrap();
    assert_eq!(alert.id, "msg_0123456789abcdef0123456789abcdef");
    assert_eq!(alert.at_ms, 42);
    assert_eq!(alert.data.device.as_deref(), Some("Firefox on Linux"));
    assert_eq!(alert.data.subject_id.as_deref(), Some("user1"));
    assert_eq!(alert.data.detail["lock_number"], "1");
    assert!(!alert.payload().contains("Mozilla"));
}
