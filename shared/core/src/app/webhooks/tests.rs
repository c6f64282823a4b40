use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::*;
use crate::config::AlertKind;
use crate::crypto::webhook::{decode_secret, verify};
use crate::model::alert::{AlertData, DeliveryStatus};
use crate::store::RecordStore;
use crate::testkit::output::Recording;
use crate::testkit::{self, TestEnv};

const OLD: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NEW: &str = "whsec_ZWRnZWF1dGggc3RhbmRhcmQgd2ViaG9va3MgdmVjdG9y";

fn env_with(overrides: &[(&str, &str)]) -> TestEnv {
    let mut vars: Vec<(&str, &str)> = alloc::vec![
        (
            "WEBHOOK_ENDPOINTS",
            "siem=https://siem.example.net/in;pager=https://pager.example.net/x|sessions.kill_switch_pulled",
        ),
        (
            "WEBHOOK_SECRETS",
            "siem=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_ZWRnZWF1dGggc3RhbmRhcmQgd2ViaG9va3MgdmVjdG9y;pager=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ),
        ("WEBHOOK_MAX_ATTEMPTS", "3"),
        ("WEBHOOK_RETRY_BASE_SECS", "10"),
    ];
    vars.extend_from_slice(overrides);
    TestEnv::with_config(testkit::config(&vars))
}

fn lockout_alert() -> Alert {
    Alert {
        id: "msg_0123456789abcdef0123456789abcdef".into(),
        kind: AlertKind::LockoutEngaged,
        at_ms: testkit::START_MS,
        data: AlertData {
            subject_id: Some("u1".into()),
            ..AlertData::default()
        },
    }
}

fn keys(env: &TestEnv, status: DeliveryStatus) -> Vec<String> {
    pollster::block_on(env.records().list(&status.prefix(), None, 100))
        .unwrap()
        .keys
}

#[test]
fn alerts_fan_out_to_the_endpoints_that_want_them() {
    let env = env_with(&[]);
    let lockout = fan_out(&env.config, &[lockout_alert()]);
    assert_eq!(lockout.len(), 1, "pager only wants the kill switch");
    assert_eq!(lockout[0].endpoint, "siem");
    let mut kill = lockout_alert();
    kill.kind = AlertKind::KillSwitchPulled;
    let both = fan_out(&env.config, &[kill]);
    assert_eq!(both.len(), 2);
    assert!(
        both.iter().all(|d| d.id == both[0].id),
        "one webhook-id per alert"
    );
}

#[test]
fn a_delivery_is_signed_with_every_secret_of_its_endpoint() {
    let env = env_with(&[]);
    let output = Recording::default();
    let deliveries = fan_out(&env.config, &[lockout_alert()]);
    pollster::block_on(deliver_now(&env.config, &env, &output, deliveries));
    let posts = output.posts.borrow();
    assert_eq!(posts.len(), 1);
    let post = &posts[0];
    assert_eq!(post.url, "https://siem.example.net/in");
    assert_eq!(
        post.header("webhook-id"),
        Some("msg_0123456789abcdef0123456789abcdef")
    );
    let timestamp: u64 = post.header("webhook-timestamp").unwrap().parse().unwrap();
    assert_eq!(timestamp, testkit::START_MS / 1000);
    let signature = post.header("webhook-signature").unwrap();
    assert_eq!(signature.split(' ').count(), 2, "{signature}");
    for secret in [OLD, NEW] {
        assert!(verify(
            &[decode_secret(secret).unwrap()],
            signature,
            post.header("webhook-id").unwrap(),
            timestamp,
            &post.body
        ));
    }
    assert_eq!(output.lines_of("webhook").len(), 1);
    assert!(keys(&env, DeliveryStatus::Retrying).is_empty());
}

#[test]
fn without_a_queue_a_failure_is_kept_and_retried_with_backoff_until_it_gives_up() {
    let env = env_with(&[]);
    let output = Recording::answering(Ok(500));
    let deliveries = fan_out(&env.config, &[lockout_alert()]);
    pollster::block_on(deliver_now(&env.config, &env, &output, deliveries));
    let retrying = keys(&env, DeliveryStatus::Retrying);
    assert_eq!(retrying.len(), 1);
    assert_eq!(
        crate::model::alert::due_at_of_key(&retrying[0]),
        Some(testkit::START_MS + 10_000),
        "base delay after the first failure"
    );
    // Not due yet: nothing is sent.
    pollster::block_on(retry_due(&env.config, &env, &output, 10));
    assert_eq!(output.posts.borrow().len(), 1);
    // Due: the second attempt fails too and waits twice as long.
    env.advance_secs(10);
    pollster::block_on(retry_due(&env.config, &env, &output, 10));
    assert_eq!(output.posts.borrow().len(), 2);
    let retrying = keys(&env, DeliveryStatus::Retrying);
    assert_eq!(
        crate::model::alert::due_at_of_key(&retrying[0]),
        Some(testkit::START_MS + 30_000)
    );
    // The third and last attempt gives up: a failed record, nothing retrying.
    env.advance_secs(20);
    pollster::block_on(retry_due(&env.config, &env, &output, 10));
    assert_eq!(output.posts.borrow().len(), 3);
    assert!(keys(&env, DeliveryStatus::Retrying).is_empty());
    assert_eq!(keys(&env, DeliveryStatus::Failed).len(), 1);
    let posts = output.posts.borrow();
    assert!(
        posts
            .iter()
            .all(|p| p.header("webhook-id") == posts[0].header("webhook-id")
                && p.body == posts[0].body),
        "the same id and body on every attempt"
    );
    let failed = output.lines_of("webhook_failed");
    assert_eq!(failed.len(), 3);
    assert!(failed.iter().all(|(_, error)| *error));
    assert!(failed[2].0.contains(r#""gave_up":true"#), "{}", failed[2].0);
}

#[test]
fn a_queue_consumer_retries_with_backoff_and_records_the_last_failure() {
    let env = env_with(&[]);
    let output = Recording::answering(Err(crate::app::NotSent::Unreachable));
    let message = fan_out(&env.config, &[lockout_alert()])[0].to_json();
    let verdicts: Vec<Verdict> = (1..=3)
        .map(|attempt| pollster::block_on(consume(&env.config, &env, &output, &message, attempt)))
        .collect();
    assert_eq!(
        verdicts,
        [
            Verdict::Retry { delay_secs: 10 },
            Verdict::Retry { delay_secs: 20 },
            Verdict::Ack
        ]
    );
    assert_eq!(keys(&env, DeliveryStatus::Failed).len(), 1);
    let ok = Recording::default();
    assert_eq!(
        pollster::block_on(consume(&env.config, &env, &ok, &message, 1)),
        Verdict::Ack
    );
}

#[test]
fn unreadable_messages_and_removed_endpoints_are_dropped_with_a_line() {
    let env = env_with(&[]);
    let output = Recording::default();
    assert_eq!(
        pollster::block_on(consume(&env.config, &env, &output, "not json", 1)),
        Verdict::Ack
    );
    let mut gone = fan_out(&env.config, &[lockout_alert()]).remove(0);
    gone.endpoint = "removed".to_string();
    assert_eq!(
        pollster::block_on(consume(&env.config, &env, &output, &gone.to_json(), 1)),
        Verdict::Ack
    );
    assert!(output.posts.borrow().is_empty());
    assert_eq!(output.lines_of("webhook_dropped").len(), 2);
}

#[test]
fn a_sweep_lists_retry_records_only_while_the_pending_marker_says_some_exist() {
    use crate::flows::monitoring::{deliveries, SHARD};
    use crate::store::{AtomicKey, AtomicStore};
    let env = env_with(&[]);
    let marker = || {
        pollster::block_on(env.atomic().get(AtomicKey::new(SHARD, deliveries::PENDING))).unwrap()
    };
    // A record written without the marker (as by an older deployment) is not listed:
    // the sweep reads one key and stops.
    let mut planted = fan_out(&env.config, &[lockout_alert()]).remove(0);
    planted.next_attempt_at_ms = Some(testkit::START_MS);
    pollster::block_on(env.records().put(
        &planted.key(DeliveryStatus::Retrying),
        &planted.to_json(),
        None,
    ))
    .unwrap();
    let output = Recording::default();
    pollster::block_on(retry_due(&env.config, &env, &output, 10));
    assert!(output.posts.borrow().is_empty());
    pollster::block_on(env.records().delete(&planted.key(DeliveryStatus::Retrying))).unwrap();

    // A failure sets the marker; the retry that succeeds leaves no record, and the next
    // sweep clears the marker.
    let failing = Recording::answering(Ok(500));
    pollster::block_on(deliver_now(
        &env.config,
        &env,
        &failing,
        fan_out(&env.config, &[lockout_alert()]),
    ));
    assert!(marker().is_some());
    env.advance_secs(10);
    let ok = Recording::default();
    pollster::block_on(retry_due(&env.config, &env, &ok, 10));
    assert_eq!(ok.posts.borrow().len(), 1);
    assert!(
        marker().is_some(),
        "cleared only by a sweep that finds nothing"
    );
    pollster::block_on(retry_due(&env.config, &env, &ok, 10));
    assert!(marker().is_none());
    assert_eq!(ok.posts.borrow().len(), 1);
}
