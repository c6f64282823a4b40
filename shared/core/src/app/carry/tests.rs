use alloc::string::ToString;
use alloc::vec::Vec;

use super::*;
use crate::app::NotSent;
use crate::model::log::RequestLog;
use crate::model::mail::Mail;
use crate::testkit::output::Recording;
use crate::testkit::{self, TestEnv};

fn outcome_with(mails: Vec<Mail>) -> Outcome {
    Outcome {
        response: Response::empty(204),
        audit: Vec::new(),
        mails,
        log: RequestLog {
            kind: "request",
            function: "api",
            method: "GET",
            route: "/api/health",
            status: 204,
            duration_ms: 1,
            request_id: "r".into(),
            hash_ms: None,
            error: None,
            cause: None,
        },
        alerts: Vec::new(),
        metrics: None,
        watch_signing_key: false,
        retry_webhooks: false,
    }
}

fn mail() -> Mail {
    Mail {
        to: "alice@example.com".into(),
        subject: "s".into(),
        text: "t".into(),
    }
}

#[test]
fn the_request_line_is_printed_and_audit_events_are_persisted() {
    let env = TestEnv::new();
    let mut outcome = outcome_with(Vec::new());
    outcome.audit.push(crate::model::audit::AuditEvent {
        id: "0123456789abcdef0123456789abcdef".into(),
        at: "2026-01-01T00:00:00.000Z".into(),
        event: crate::model::audit::AuditKind::LoginFailed,
        actor_id: None,
        subject_id: None,
        ip_prefix: None,
        user_agent: None,
        request_id: "r".into(),
        detail: Default::default(),
    });
    let output = Recording::default();
    let (response, background) =
        pollster::block_on(carry_out(outcome, Some(&env.config), &env, &output));
    assert_eq!(response.status, 204);
    assert!(background.is_empty());
    let lines = output.lines.borrow();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0]
        .0
        .starts_with(r#"{"kind":"request","function":"api""#));
    assert!(!lines[0].1);
    assert!(env
        .store
        .dump()
        .iter()
        .any(|(key, _)| key.starts_with(crate::flows::audit::log::ALL_PREFIX)));
}

#[test]
fn request_log_errors_prints_the_lines_of_error_answers_only() {
    let mut env = TestEnv::new();
    env.config.request_log = crate::config::RequestLog::Errors;
    let output = Recording::default();
    for status in [200, 204, 304, 399, 400, 401, 429, 503] {
        let mut outcome = outcome_with(Vec::new());
        outcome.log.status = status;
        pollster::block_on(carry_out(outcome, Some(&env.config), &env, &output));
    }
    let printed: Vec<bool> = output
        .lines
        .borrow()
        .iter()
        .map(|(line, _)| line.contains(r#""status":4"#) || line.contains(r#""status":5"#))
        .collect();
    assert_eq!(
        printed,
        [true, true, true, true],
        "{:?}",
        output.lines.borrow()
    );
}

#[test]
fn request_log_defaults_to_every_request() {
    let env = TestEnv::new();
    assert_eq!(env.config.request_log, crate::config::RequestLog::All);
    let output = Recording::default();
    let mut outcome = outcome_with(Vec::new());
    outcome.log.status = 200;
    pollster::block_on(carry_out(outcome, Some(&env.config), &env, &output));
    assert_eq!(output.lines.borrow().len(), 1);
}

#[test]
fn without_a_configuration_only_the_request_line_is_written() {
    let env = TestEnv::new();
    let output = Recording::default();
    let (_, background) = pollster::block_on(carry_out(
        outcome_with(alloc::vec![mail()]),
        None,
        &env,
        &output,
    ));
    assert!(
        background.is_empty(),
        "no transport without a configuration"
    );
    assert_eq!(output.lines.borrow().len(), 1);
}

#[test]
fn console_mail_is_logged_whole_and_http_mail_is_posted_with_its_status_logged() {
    let env = TestEnv::new();
    let output = Recording::default();
    let (_, background) = pollster::block_on(carry_out(
        outcome_with(alloc::vec![mail()]),
        Some(&env.config),
        &env,
        &output,
    ));
    pollster::block_on(background.mails.send(&output));
    let lines = output.lines.borrow();
    assert_eq!(lines.len(), 2);
    assert!(lines[1]
        .0
        .contains(r#""kind":"mail","transport":"console""#));
    assert!(lines[1].0.contains("alice@example.com"));

    let http = testkit::config(&[
        ("MAIL_TRANSPORT", "http"),
        ("MAIL_HTTP_URL", "https://mail.example.com/send"),
        ("MAIL_HTTP_TOKEN", "tok"),
    ]);
    for (answer, expected, error) in [
        (
            Ok(202),
            r#"{"kind":"mail","transport":"http","status":202}"#,
            false,
        ),
        (Ok(500), r#"{"kind":"mail_failed","status":500}"#, true),
        (
            Err(NotSent::Unreachable),
            r#"{"kind":"mail_failed","cause":"unreachable"}"#,
            true,
        ),
        (
            Err(NotSent::InvalidUrl),
            r#"{"kind":"mail_failed","cause":"invalid_url"}"#,
            true,
        ),
        (
            Err(NotSent::OutboundDenied),
            r#"{"kind":"mail_failed","cause":"outbound_denied","hint":"MAIL_HTTP_URL's origin is not in allowed_outbound_hosts: set the Spin variable mail_origin to its scheme://host:port"}"#,
            true,
        ),
    ] {
        let output = Recording::answering(answer);
        let (_, background) = pollster::block_on(carry_out(
            outcome_with(alloc::vec![mail()]),
            Some(&http),
            &env,
            &output,
        ));
        pollster::block_on(background.mails.send(&output));
        let posts = output.posts.borrow();
        assert_eq!(posts.len(), 1);
        assert_eq!(posts[0].url, "https://mail.example.com/send");
        assert_eq!(posts[0].header("authorization"), Some("Bearer tok"));
        assert!(posts[0].body.contains(r#""to":"alice@example.com""#));
        let lines = output.lines.borrow();
        assert_eq!(lines[1], (expected.to_string(), error));
        assert!(
            !lines
                .iter()
                .any(|(line, _)| line.contains("tok\"") || line.contains("\"t\"")),
            "neither the token nor the body is logged"
        );
    }
}

#[test]
fn a_sweep_without_configuration_logs_one_error_line() {
    let env = TestEnv::new();
    let output = Recording::default();
    let error = crate::config::ConfigError::Missing("ENVIRONMENT");
    pollster::block_on(retention_sweep(Err(&error), &env, &output));
    assert_eq!(
        *output.lines.borrow(),
        [(
            r#"{"kind":"retention_sweep","error":"configuration invalid"}"#.to_string(),
            true
        )]
    );
    let output = Recording::default();
    pollster::block_on(retention_sweep(Ok(&env.config), &env, &output));
    let lines = output.lines.borrow();
    assert_eq!(lines.len(), 1);
    assert!(lines[0]
        .0
        .starts_with(r#"{"kind":"retention_sweep","report":{"#));
    assert!(!lines[0].1);
}
