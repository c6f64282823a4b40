use alloc::string::ToString;
use alloc::vec::Vec;

use crate::app::{self, carry_out};
use crate::config::AlertKind;
use crate::ctx::Services;
use crate::http::Method;
use crate::model::alert::Delivery;
use crate::model::audit::AuditKind;
use crate::store::AtomicStore;
use crate::testkit::api::{answer, Kit};
use crate::testkit::output::{QueueRecording, Recording};
use crate::testkit::{self, TestEnv};

const WEBHOOKS: [(&str, &str); 2] = [
    ("WEBHOOK_ENDPOINTS", "siem=https://siem.example.net/in"),
    (
        "WEBHOOK_SECRETS",
        "siem=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    ),
];

fn with_keys(keys: &str) -> crate::config::Config {
    testkit::config(&[("JWT_SIGNING_KEYS", keys)])
}

#[test]
fn a_new_active_signing_key_is_reported_once_and_the_first_one_is_learned() {
    let env = TestEnv::new();
    let watch = |config: &crate::config::Config| {
        pollster::block_on(super::signing_key::watch(&env, config, "r1")).unwrap()
    };
    assert!(watch(&env.config).is_none(), "first deployment: learned");
    assert!(watch(&env.config).is_none(), "same key: nothing");
    let rotated = with_keys(
        "sig-3:qHMKllDMn1NVFNL_Acb7sKILIFz9nBuOi8ncSknWMRQ,sig-2:ZVVV4f0TrU4rsRpAWk4cLk3RkBOso06T_LSpHOxSIUU",
    );
    let event = watch(&rotated).expect("a rotation");
    assert_eq!(event.event, AuditKind::SigningKeyRotated);
    assert_eq!(event.detail["previous_kid"], "sig-2");
    assert_eq!(event.detail["kid"], "sig-3");
    assert!(
        watch(&rotated).is_none(),
        "a second isolate with the new key: nothing"
    );
}

#[test]
fn the_isolate_checks_the_signing_key_once_and_only_where_tokens_are_signed() {
    let env = TestEnv::new();
    let first = env.serve::<crate::functions::Refresh>(&testkit::request(
        Method::Get,
        "/.well-known/jwks.json",
    ));
    assert!(first.watch_signing_key);
    let second = env.serve::<crate::functions::Refresh>(&testkit::request(
        Method::Get,
        "/.well-known/jwks.json",
    ));
    assert!(!second.watch_signing_key, "once per isolate");
    let fresh = TestEnv::new();
    let api = fresh.serve::<crate::functions::Api>(&testkit::request(Method::Get, "/api/health"));
    assert!(!api.watch_signing_key, "api signs no token");
}

#[test]
fn a_burst_of_server_errors_raises_one_alert_per_window() {
    let env = TestEnv::with_config(testkit::config(&[("ALERT_ERROR_BURST", "3/60")]));
    let count = || pollster::block_on(super::errors::count(&env, &env.config, 500)).unwrap();
    assert!(count().is_none());
    assert!(count().is_none());
    let alert = count().expect("the third 5xx of the window");
    assert_eq!(alert.kind, AlertKind::ErrorBurst);
    assert_eq!(alert.data.detail["count"], "3");
    assert!(count().is_none(), "once per window");
    env.advance_secs(60);
    assert!(count().is_none(), "a new window starts at one");
}

#[test]
fn failed_deliveries_are_listed_for_admins_only_newest_first() {
    let kit = Kit::with(&WEBHOOKS);
    let admin = kit.user("admin@example.com", &["admin"]);
    let auditor = kit.user("auditor@example.com", &["auditor"]);
    for (n, id) in ["msg_a", "msg_b"].iter().enumerate() {
        let delivery = Delivery {
            id: id.to_string(),
            endpoint: "siem".into(),
            kind: "lockout.engaged".into(),
            payload: r#"{"type":"lockout.engaged","timestamp":"x","data":{}}"#.into(),
            created_at_ms: testkit::START_MS,
            attempts: 8,
            last_status: Some(500),
            last_error: None,
            last_attempt_at_ms: Some(testkit::START_MS + n as u64),
            next_attempt_at_ms: None,
        };
        pollster::block_on(super::deliveries::record_failed(
            kit.env.records(),
            &delivery,
            testkit::START_MS,
        ))
        .unwrap();
    }
    let (status, body) = answer(&kit.get(&admin, "/api/admin/webhooks/deliveries?status=failed"));
    assert_eq!(status, 200, "{body}");
    let ids: Vec<&str> = body["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["msg_b", "msg_a"]);
    assert_eq!(body["status"], "failed");
    let payload: serde_json::Value =
        serde_json::from_str(body["deliveries"][0]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["type"], "lockout.engaged");
    assert_eq!(body["deliveries"][0]["last_status"], 500);
    let (status, _) = answer(&kit.get(&auditor, "/api/admin/webhooks/deliveries"));
    assert_eq!(status, 403);
    let (status, _) = answer(&kit.get(&admin, "/api/admin/webhooks/deliveries?status=sent"));
    assert_eq!(status, 400);
}

#[test]
fn the_retry_route_schedules_the_sweep_after_the_response() {
    let kit = Kit::with(&WEBHOOKS);
    let admin = kit.user("admin@example.com", &["admin"]);
    let outcome = kit.call(
        Some(&admin),
        Method::Post,
        "/api/admin/webhooks/retry",
        None,
    );
    assert_eq!(outcome.response.status, 202);
    assert!(outcome.retry_webhooks);
}

#[test]
fn the_kill_switch_raises_an_alert_that_is_queued_signed_and_holds_no_secret() {
    let kit = Kit::with(&WEBHOOKS);
    let admin = kit.user("admin@example.com", &["admin"]);
    let outcome = kit.call(
        Some(&admin),
        Method::Post,
        "/api/admin/sessions/revoke-all",
        None,
    );
    assert_eq!(outcome.response.status, 200);
    assert_eq!(outcome.alerts.len(), 1);
    assert_eq!(outcome.alerts[0].kind, AlertKind::KillSwitchPulled);
    let output = QueueRecording::default();
    let (_, background) =
        pollster::block_on(carry_out(outcome, Some(&kit.env.config), &kit.env, &output));
    pollster::block_on(background.run::<crate::functions::Api, _, _>(
        &kit.env.config,
        &kit.env.memory,
        &kit.env,
        &output,
    ));
    let queued = output.queued.borrow();
    assert_eq!(queued.len(), 1);
    let delivery = Delivery::from_json(&queued[0]).unwrap();
    assert_eq!(delivery.kind, "sessions.kill_switch_pulled");
    assert!(
        !queued[0].contains(&admin.access),
        "no token in the payload"
    );
    assert!(!queued[0].contains("whsec_"), "no secret in the payload");
    assert!(
        !queued[0].contains("admin@example.com"),
        "no address in the payload"
    );
    assert!(
        output.posts.borrow().is_empty(),
        "the queue delivers, not the request"
    );
    assert_eq!(output.lines_of("alert").len(), 1);
}

#[test]
fn an_internal_error_is_reported_to_the_log_without_a_dsn_and_as_an_envelope_with_one() {
    for dsn in [None, Some("https://0123abcd@errors.example.net/42")] {
        let config = match dsn {
            Some(dsn) => testkit::config(&[("SENTRY_DSN", dsn)]),
            None => testkit::config(&[]),
        };
        let env = TestEnv::with_config(config);
        let kit = Kit { env };
        let owner = kit.user("owner@example.com", &[]);
        let created = kit.call(
            Some(&owner),
            Method::Post,
            "/api/documents",
            Some(serde_json::json!({"title": "t", "body": "secret body text"})),
        );
        let id = answer(&created).1["id"].as_str().unwrap().to_string();
        let shard = alloc::format!("doc/{id}");
        let key = crate::store::AtomicKey::new(&shard, crate::model::document::NAME);
        let stored = pollster::block_on(kit.env.atomic().get(key)).unwrap();
        assert!(pollster::block_on(kit.env.atomic().compare_and_swap(
            key,
            stored.as_deref(),
            Some("not json"),
            None
        ))
        .unwrap());
        let outcome = kit.get(&owner, &alloc::format!("/api/documents/{id}"));
        assert_eq!(outcome.response.status, 500);
        let request_id = outcome.log.request_id.clone();
        let output = Recording::default();
        let (_, background) =
            pollster::block_on(carry_out(outcome, Some(&kit.env.config), &kit.env, &output));
        pollster::block_on(background.run::<crate::functions::Api, _, _>(
            &kit.env.config,
            &kit.env.memory,
            &kit.env,
            &output,
        ));
        let reports = output.lines_of("error_report");
        assert_eq!(reports.len(), 1);
        assert!(reports[0].0.contains(&request_id));
        assert!(
            reports[0].0.contains(r#""route":"/api/documents/{id}""#),
            "{}",
            reports[0].0
        );
        assert!(reports[0].0.contains("document record corrupt"));
        let posts = output.posts.borrow();
        match dsn {
            None => {
                assert!(reports[0].1, "to the error stream");
                assert!(posts.is_empty());
            }
            Some(_) => {
                assert_eq!(posts.len(), 1);
                let post = &posts[0];
                assert_eq!(post.url, "https://errors.example.net/api/42/envelope/");
                assert!(post
                    .header("x-sentry-auth")
                    .unwrap()
                    .contains("sentry_key=0123abcd"));
                let lines: Vec<&str> = post.body.lines().collect();
                assert_eq!(lines.len(), 3);
                let event: serde_json::Value = serde_json::from_str(lines[2]).unwrap();
                assert_eq!(event["event_id"], request_id.as_str());
                assert_eq!(event["tags"]["route"], "/api/documents/{id}");
                for line in &lines {
                    assert!(!line.contains("secret body text") && !line.contains(&owner.access));
                }
            }
        }
    }
}

#[test]
fn metrics_are_counted_in_memory_flushed_once_per_interval_and_summarised() {
    let kit = Kit::with(&[("METRICS_FLUSH_SECS", "60")]);
    let admin = kit.user("admin@example.com", &["admin"]);
    let output = Recording::default();
    let run = |outcome: app::Outcome| {
        let (_, background) =
            pollster::block_on(carry_out(outcome, Some(&kit.env.config), &kit.env, &output));
        pollster::block_on(background.run::<crate::functions::Api, _, _>(
            &kit.env.config,
            &kit.env.memory,
            &kit.env,
            &output,
        ));
    };
    for _ in 0..3 {
        run(kit.call(None, Method::Get, "/api/health", None));
    }
    assert!(
        output.lines_of("metrics").is_empty(),
        "nothing before the interval"
    );
    let records_before = kit.env.store.dump().len();
    kit.env.advance_secs(60);
    run(kit.call(None, Method::Get, "/api/health", None));
    let flushed = output.lines_of("metrics");
    assert_eq!(flushed.len(), 1);
    assert!(flushed[0].0.contains(r#""route":"/api/health""#));
    assert_eq!(
        kit.env.store.dump().len(),
        records_before + 1,
        "one record per flush"
    );
    assert!(
        !output.points.borrow().is_empty(),
        "Analytics Engine points"
    );
    let (status, body) = answer(&kit.get(&admin, "/api/admin/metrics?minutes=60"));
    assert_eq!(status, 200, "{body}");
    let health = body["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["function"] == "api" && r["route"] == "/api/health")
        .unwrap_or_else(|| panic!("{body}"));
    assert!(health["count"].as_u64().unwrap() >= 4, "{body}");
}

#[test]
fn the_error_counter_is_written_only_for_server_errors() {
    let env = TestEnv::new();
    let output = Recording::default();
    let outcome = env.serve::<crate::functions::Api>(&testkit::request(Method::Get, "/api/health"));
    let (_, background) = pollster::block_on(carry_out(outcome, Some(&env.config), &env, &output));
    pollster::block_on(background.run::<crate::functions::Api, _, _>(
        &env.config,
        &env.memory,
        &env,
        &output,
    ));
    let counters = pollster::block_on(env.atomic().list(super::SHARD, "errors/")).unwrap();
    assert!(counters.is_empty());
}
