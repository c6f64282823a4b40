use super::*;
use alloc::format;

#[test]
fn remembers_and_replaces_the_oldest_when_full() {
    let settled = SettledCounts::default();
    for i in 0..CAPACITY + 3 {
        settled.remember(format!("k{i}"), i as u64);
    }
    assert_eq!(settled.len(), CAPACITY);
    assert_eq!(settled.get("k0"), None, "oldest replaced");
    assert_eq!(
        settled.get(&format!("k{}", CAPACITY + 2)),
        Some(CAPACITY as u64 + 2)
    );
    assert_eq!(settled.get("k5"), Some(5));
    settled.remember("k5".into(), 9);
    assert_eq!(settled.get("k5"), Some(9));
    assert!(
        SettledCounts::default().is_empty(),
        "a new memory starts empty"
    );
}
