use super::*;
use alloc::format;
use alloc::string::String;
use proptest::prelude::*;

#[test]
fn remembers_and_replaces_the_oldest_when_full() {
    let map: Bounded<String, u64> = Bounded::new(4);
    for i in 0..7u64 {
        map.insert(format!("k{i}"), i);
    }
    assert_eq!(map.len(), 4);
    assert_eq!(map.get(&"k0".into()), None, "oldest replaced");
    assert_eq!(map.get(&"k2".into()), None);
    assert_eq!(map.get(&"k6".into()), Some(6));
    assert_eq!(map.get(&"k3".into()), Some(3));
}

#[test]
fn an_existing_key_is_updated_in_place() {
    let map: Bounded<u8, u8> = Bounded::new(2);
    map.insert(1, 10);
    map.insert(1, 11);
    assert_eq!(map.len(), 1);
    assert_eq!(map.get(&1), Some(11));
    map.remove(&1);
    assert!(map.is_empty());
}

#[test]
fn a_zero_capacity_map_remembers_nothing() {
    let map: Bounded<u8, u8> = Bounded::new(0);
    map.insert(1, 1);
    assert_eq!(map.get(&1), None);
}

#[test]
fn a_busy_map_misses_instead_of_panicking() {
    let map: Bounded<u8, u8> = Bounded::new(2);
    map.insert(1, 1);
    let _held = map.entries.borrow_mut();
    assert_eq!(map.get(&1), None);
    map.insert(2, 2);
    assert_eq!(map.len(), 0);
}

#[test]
fn debug_shows_counts_only() {
    let map: Bounded<String, String> = Bounded::new(2);
    map.insert("user-id".into(), "secret-ish".into());
    let text = format!("{map:?}");
    assert!(!text.contains("user-id") && !text.contains("secret-ish"));
}

proptest! {
    #[test]
    fn never_holds_more_than_its_capacity(capacity in 0usize..8, keys in proptest::collection::vec(0u8..32, 0..64)) {
        let map: Bounded<u8, u8> = Bounded::new(capacity);
        for key in keys {
            map.insert(key, key);
            prop_assert!(map.len() <= capacity);
            if capacity > 0 {
                prop_assert_eq!(map.get(&key), Some(key));
            }
        }
    }
}
