use super::*;

#[test]
fn formats_rfc3339() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
    assert_eq!(rfc3339(951_782_400_123), "2000-02-29T00:00:00.123Z");
    assert_eq!(rfc3339(1_798_761_599_000), "2026-12-31T23:59:59.000Z");
}

#[test]
fn hex_and_base64url_round_trip() {
    assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
    assert_eq!(b64url_decode(&b64url(b"\xff\xfe")).unwrap(), b"\xff\xfe");
    assert!(b64url_decode("!!").is_none());
}

#[test]
fn percent_decoding_is_lenient() {
    assert_eq!(percent_decode("a%20b+c"), "a b c");
    assert_eq!(percent_decode("%zz%"), "%zz%");
}

#[test]
fn percent_encoding_keeps_unreserved_characters_only() {
    assert_eq!(percent_encode("aZ09-._~"), "aZ09-._~");
    assert_eq!(percent_encode("a b&c=d/é+"), "a%20b%26c%3Dd%2F%C3%A9%2B");
    assert_eq!(percent_decode(&percent_encode("x y+z%")), "x y+z%");
}

#[test]
fn standard_base64_ignores_whitespace_only() {
    assert_eq!(
        b64_decode_lenient_whitespace("aGVs\nbG8=\r\n").unwrap(),
        b"hello"
    );
    assert!(b64_decode_lenient_whitespace("aGVs*bG8=").is_none());
}
