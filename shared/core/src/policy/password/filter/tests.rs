use super::*;
use alloc::vec::Vec;

#[test]
fn embedded_filter_parses_with_the_recorded_shape() {
    let filter = embedded().unwrap();
    let meta: serde_json::Value =
        serde_json::from_str(include_str!("../../../../data/common-passwords.json")).unwrap();
    let keys = u32_at(EMBEDDED, 12).unwrap();
    assert_eq!(u64::from(keys), meta["keys"].as_u64().unwrap());
    assert_eq!(
        u64::from(filter.fingerprint_bits()),
        meta["fingerprint_bits"].as_u64().unwrap()
    );
    assert_eq!(EMBEDDED.len() as u64, meta["bytes"].as_u64().unwrap());
    assert!(keys >= 100_000);
}

#[test]
fn rejects_truncated_or_altered_headers() {
    assert_eq!(Filter::parse(&[]).unwrap_err(), MalformedFilter);
    assert!(Filter::parse(&EMBEDDED[..EMBEDDED.len() - 1]).is_err());
    let mut longer: Vec<u8> = EMBEDDED.to_vec();
    longer.push(0);
    assert!(Filter::parse(&longer).is_err());
    let mut bad_magic = EMBEDDED.to_vec();
    bad_magic[0] ^= 1;
    assert!(Filter::parse(&bad_magic).is_err());
    let mut bad_bits = EMBEDDED.to_vec();
    bad_bits[8] = 17;
    assert!(Filter::parse(&bad_bits).is_err());
    let mut bad_segment = EMBEDDED.to_vec();
    bad_segment[24] ^= 3; // no longer a power of two
    assert!(Filter::parse(&bad_segment).is_err());
}

/// Known false positives, found by the test harness's JavaScript reader
/// (`tests/harness/common-passwords.mjs`): pins that both readers agree bit for bit
/// on non-members too, and that the rate is real, not a claim.
#[test]
fn agrees_with_the_harness_reader_on_false_positives() {
    let filter = embedded().unwrap();
    assert!(filter.contains(b"tidal 1324 lantern"));
    assert!(filter.contains(b"tidal 1524 lantern"));
    assert!(!filter.contains(b"tidal 0 lantern"));
    let false_positives = (0..10_000u32)
        .filter(|i| filter.contains(alloc::format!("tidal {i} lantern").as_bytes()))
        .count();
    assert!((5..=60).contains(&false_positives), "{false_positives}");
}

#[test]
fn finds_the_most_common_passwords() {
    let filter = embedded().unwrap();
    for key in [
        "password",
        "12345678",
        "iloveyou",
        "password1",
        "qwertyuiop",
    ] {
        assert!(filter.contains(key.as_bytes()), "{key}");
    }
}
