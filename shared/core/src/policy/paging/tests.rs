use super::*;
use crate::env::fake::FakeClock;
use crate::store::memory::MemoryStore;
use crate::testkit;
use alloc::format;
use alloc::rc::Rc;

#[test]
fn sealed_cursors_open_only_for_their_scope() {
    let config = testkit::config(&[]);
    let cursor = seal(&config, "audit/all", "payload");
    assert_eq!(open(&config, "audit/all", &cursor).unwrap(), "payload");
    assert_eq!(
        open(&config, "audit/user/x", &cursor),
        Err(ApiError::InvalidRequest(INVALID_CURSOR))
    );
}

#[test]
fn tampered_or_garbage_cursors_are_a_400() {
    let config = testkit::config(&[]);
    let cursor = seal(&config, "s", "{\"a\":\"audit/all/1\"}");
    let (payload, tag) = cursor.split_once('.').unwrap();
    let forged = format!("{}.{tag}", encoding::b64url(b"{\"a\":\"audit/all/0\"}"));
    for bad in [
        forged.as_str(),
        payload,
        "",
        ".",
        "a.b",
        &"x".repeat(MAX_CURSOR_CHARS + 1),
    ] {
        assert_eq!(
            open(&config, "s", bad),
            Err(ApiError::InvalidRequest(INVALID_CURSOR)),
            "{bad}"
        );
    }
}

#[test]
fn cursors_survive_a_data_key_rotation_until_the_key_is_removed() {
    let old = testkit::config(&[("DATA_ENCRYPTION_KEYS", testkit::DATA_KEYS)]);
    let cursor = seal(&old, "s", "p");
    let (_, second) = testkit::DATA_KEYS.split_once(',').unwrap();
    let rotated = testkit::config(&[(
        "DATA_ENCRYPTION_KEYS",
        &format!(
            "data-3:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,{}",
            testkit::DATA_KEYS
        ),
    )]);
    assert_eq!(open(&rotated, "s", &cursor).unwrap(), "p");
    let removed = testkit::config(&[("DATA_ENCRYPTION_KEYS", second)]);
    assert!(open(&removed, "s", &cursor).is_err());
}

#[test]
fn cursors_are_keyed_with_the_listing_cursor_label() {
    // Part of the cursor format (crypto::kdf::Purpose checks it differs from
    // every other label).
    assert_eq!(
        Purpose::ListingCursor.label(),
        b"edgeauth listing-cursor v1"
    );
}

fn store_with(keys: usize) -> MemoryStore<FakeClock> {
    let store = MemoryStore::new(Rc::new(FakeClock::at(1_000)));
    pollster::block_on(async {
        for i in 0..keys {
            store.put(&format!("p/{i:04}"), "v", None).await.unwrap();
        }
        store.put("q/0000", "other prefix", None).await.unwrap();
    });
    store
}

#[test]
fn walking_in_steps_returns_every_key_once_in_order() {
    let store = store_with(257);
    for step in [1, 7, 100, 101, 300] {
        let mut seen = Vec::new();
        let mut position = Position::default();
        loop {
            let (keys, next) =
                pollster::block_on(take_keys(&store, "p/", &position, step)).unwrap();
            assert!(keys.len() <= step);
            seen.extend(keys);
            match next {
                Some(next) => position = next,
                None => break,
            }
        }
        let expected: Vec<String> = (0..257).map(|i| format!("p/{i:04}")).collect();
        assert_eq!(seen, expected, "step {step}");
    }
}

#[test]
fn keys_inserted_before_the_position_are_not_returned_again() {
    let store = store_with(10);
    let (first, next) =
        pollster::block_on(take_keys(&store, "p/", &Position::default(), 4)).unwrap();
    assert_eq!(first.last().unwrap(), "p/0003");
    pollster::block_on(store.put("p/0000a", "newer", None)).unwrap();
    let (rest, done) = pollster::block_on(take_keys(&store, "p/", &next.unwrap(), 100)).unwrap();
    assert_eq!(rest.first().unwrap(), "p/0004");
    assert_eq!(rest.len(), 6);
    assert!(done.is_none());
}

#[test]
fn limits_are_checked() {
    assert_eq!(limit_param(None, 50, 200, "x"), Ok(50));
    assert_eq!(limit_param(Some("200"), 50, 200, "x"), Ok(200));
    for bad in ["0", "201", "-1", "abc", "", "00000001"] {
        assert!(limit_param(Some(bad), 50, 200, "x").is_err(), "{bad}");
    }
}
