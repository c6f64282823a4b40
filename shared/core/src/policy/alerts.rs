//! Which audit events raise a security alert, and what the alert says: one pure
//! mapping, so that an alert always mirrors an audited fact (docs/monitoring.md,
//! "Alerts").
//!
//! | audit event | alert | when |
//! |---|---|---|
//! | `lockout` | `lockout.engaged` | always |
//! | `refresh_reuse_detected` | `session.refresh_reuse_detected` | always |
//! | `mfa_failed`, `passkey_failed` | `mfa.failures_exceeded` | at the login step (`stage=login`; for a passkey `stage=second_factor`), when the token's wrong second factors reach `ALERT_MFA_FAILURES` (once per token) |
//! | `role_changed` | `user.role_changed` | always |
//! | `user_disabled` | `user.disabled` | always |
//! | `all_sessions_revoked` | `sessions.kill_switch_pulled` | always |
//! | `signing_key_rotated` | `keys.signing_rotated` | always |
//! | `data_keys_swept` | `keys.data_swept` | not a dry run |
//! | `login_succeeded`, `passkey_login` | `sign_in.new_device` | with `new_device` or `new_country` in its detail |
//! | `compromise_reported` | `account.compromise_reported` | always |
//!
//! `errors.burst` has no audit event (it is about the service, not an account); the
//! pipeline raises it ([`crate::flows::monitoring`]).
//!
//! Security considerations: the alert copies the event's ids, address prefix,
//! request id and code-chosen detail, and replaces the user agent with
//! [`crate::policy::device::summary`] — nothing else of the request reaches a webhook.

use alloc::string::String;

use crate::config::{AlertKind, Config};
use crate::model::alert::{Alert, AlertData};
use crate::model::audit::{AuditEvent, AuditKind};
use crate::policy::device;

fn detail<'a>(event: &'a AuditEvent, key: &str) -> Option<&'a str> {
    event.detail.get(key).map(String::as_str)
}

/// The alert `event` raises under `config`, if any; `at_ms` is the event's time.
pub fn from_audit(config: &Config, event: &AuditEvent, at_ms: u64) -> Option<Alert> {
    let kind = match event.event {
        AuditKind::Lockout => AlertKind::LockoutEngaged,
        AuditKind::RefreshReuseDetected => AlertKind::RefreshReuseDetected,
        AuditKind::MfaFailed | AuditKind::PasskeyFailed => {
            let threshold = alloc::format!("{}", config.monitoring.mfa_failures);
            let at_login = match event.event {
                AuditKind::MfaFailed => detail(event, "stage") == Some("login"),
                _ => detail(event, "stage") == Some("second_factor"),
            };
            if !(at_login && detail(event, "wrong_codes") == Some(threshold.as_str())) {
                return None;
            }
            AlertKind::MfaFailuresExceeded
        }
        AuditKind::RoleChanged => AlertKind::RoleChanged,
        AuditKind::UserDisabled => AlertKind::UserDisabled,
        AuditKind::AllSessionsRevoked => AlertKind::KillSwitchPulled,
        AuditKind::SigningKeyRotated => AlertKind::SigningKeyRotated,
        AuditKind::DataKeysSwept if detail(event, "dry_run") == Some("false") => {
            AlertKind::DataKeysSwept
        }
        AuditKind::LoginSucceeded | AuditKind::PasskeyLogin
            if detail(event, "new_device").is_some() || detail(event, "new_country").is_some() =>
        {
            AlertKind::NewDeviceSignIn
        }
        AuditKind::CompromiseReported => AlertKind::CompromiseReported,
        _ => return None,
    };
    Some(Alert {
        id: Alert::id_for_event(&event.id),
        kind,
        at_ms,
        data: AlertData {
            audit_event_id: Some(event.id.clone()),
            subject_id: event.subject_id.clone(),
            actor_id: event.actor_id.clone(),
            ip_prefix: event.ip_prefix.clone(),
            device: event
                .user_agent
                .as_deref()
                .map(|agent| device::summary(Some(agent))),
            request_id: Some(event.request_id.clone()),
            detail: event.detail.clone(),
        },
    })
}

#[cfg(test)]
mod tests;
