use super::*;
use alloc::vec::Vec;

fn delivery() -> Delivery {
    Delivery {
        id: "msg_00ff".into(),
        endpoint: "siem".into(),
        kind: "lockout.engaged".into(),
        payload: "{}".into(),
        created_at_ms: 1_000,
        attempts: 1,
        last_status: Some(500),
        last_error: None,
        last_attempt_at_ms: Some(2_000),
        next_attempt_at_ms: Some(32_000),
    }
}

#[test]
fn the_payload_is_type_timestamp_and_data_only() {
    let alert = Alert {
        id: Alert::id_for_event("abc"),
        kind: AlertKind::LockoutEngaged,
        at_ms: 0,
        data: AlertData {
            subject_id: Some("u1".into()),
            ..AlertData::default()
        },
    };
    assert_eq!(alert.id, "msg_abc");
    let payload: serde_json::Value = serde_json::from_str(&alert.payload()).unwrap();
    assert_eq!(payload["type"], "lockout.engaged");
    assert_eq!(payload["timestamp"], "1970-01-01T00:00:00.000Z");
    assert_eq!(payload["data"]["subject_id"], "u1");
    let mut keys: Vec<&String> = payload.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["data", "timestamp", "type"]);
}

#[test]
fn retrying_keys_sort_by_due_time_and_failed_keys_newest_first() {
    let due_soon = delivery();
    let mut due_later = delivery();
    due_later.next_attempt_at_ms = Some(99_000);
    assert!(due_soon.key(DeliveryStatus::Retrying) < due_later.key(DeliveryStatus::Retrying));
    assert_eq!(
        due_at_of_key(&due_soon.key(DeliveryStatus::Retrying)),
        Some(32_000)
    );

    let old = delivery();
    let mut new = delivery();
    new.last_attempt_at_ms = Some(5_000);
    assert!(new.key(DeliveryStatus::Failed) < old.key(DeliveryStatus::Failed));
    assert!(old
        .key(DeliveryStatus::Failed)
        .starts_with("webhooks/failed/"));
    assert!(old.key(DeliveryStatus::Failed).ends_with("/msg_00ff/siem"));
}

#[test]
fn a_delivery_survives_its_json_round_trip() {
    let delivery = delivery();
    assert_eq!(Delivery::from_json(&delivery.to_json()), Some(delivery));
    assert_eq!(Delivery::from_json("not json"), None);
}
