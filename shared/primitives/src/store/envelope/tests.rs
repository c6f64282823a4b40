use super::*;

#[test]
fn round_trips_and_expires_exactly() {
    let stored = wrap("v|with|bars", Some(1_000));
    assert_eq!(unwrap(&stored, 999), Some("v|with|bars"));
    assert_eq!(unwrap(&stored, 1_000), None);
    assert_eq!(unwrap(&wrap("v", None), u64::MAX), Some("v"));
    assert_eq!(expiry(&stored), Some(Some(1_000)));
}

#[test]
fn malformed_reads_as_absent() {
    assert_eq!(unwrap("garbage", 0), None);
    assert_eq!(unwrap("x|v", 0), None);
}
