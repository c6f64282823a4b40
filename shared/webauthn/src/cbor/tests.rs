use super::*;

fn skip(bytes: &[u8]) -> Result<(), CborError> {
    let mut reader = Reader::new(bytes);
    reader.skip()?;
    reader.finish()
}

#[test]
fn reads_the_webauthn_subset() {
    // {"a": h'01', 1: -2, -3: [true, false, null], "t": "é"}
    let bytes = b"\xa4\x61a\x41\x01\x01\x21\x22\x83\xf5\xf4\xf6\x61t\x62\xc3\xa9";
    assert_eq!(skip(bytes), Ok(()));
    let mut reader = Reader::new(bytes);
    assert_eq!(reader.map(), Ok(4));
    assert_eq!(reader.key(), Ok(Key::Text("a")));
    assert_eq!(reader.bytes(), Ok(&[1u8][..]));
    assert_eq!(reader.key(), Ok(Key::Int(1)));
    assert_eq!(reader.int(), Ok(-2));
    assert_eq!(reader.key(), Ok(Key::Int(-3)));
    assert!(reader.skip().is_ok());
    assert_eq!(reader.key(), Ok(Key::Text("t")));
    assert_eq!(reader.text(), Ok("é"));
    assert_eq!(reader.finish(), Ok(()));
}

#[test]
fn integers_cover_the_i64_range_and_no_further() {
    assert_eq!(
        Reader::new(b"\x1b\x7f\xff\xff\xff\xff\xff\xff\xff").int(),
        Ok(i64::MAX)
    );
    assert_eq!(
        Reader::new(b"\x3b\x7f\xff\xff\xff\xff\xff\xff\xff").int(),
        Ok(i64::MIN)
    );
    assert!(Reader::new(b"\x1b\x80\x00\x00\x00\x00\x00\x00\x00")
        .int()
        .is_err());
    assert!(Reader::new(b"\x3b\xff\xff\xff\xff\xff\xff\xff\xff")
        .int()
        .is_err());
}

#[test]
fn refuses_indefinite_lengths() {
    for bytes in [
        &b"\x5f\x41\x00\xff"[..],
        b"\x7f\x61a\xff",
        b"\x9f\x01\xff",
        b"\xbf\x01\x02\xff",
    ] {
        assert_eq!(
            skip(bytes),
            Err("indefinite-length CBOR is not accepted"),
            "{bytes:x?}"
        );
    }
}

#[test]
fn refuses_tags_floats_and_other_simple_values() {
    for bytes in [
        &b"\xc2\x41\x01"[..],
        b"\xf9\x3c\x00",
        b"\xfa\0\0\0\0",
        b"\xfb\0\0\0\0\0\0\0\0",
        b"\xf7",
        b"\xe0",
    ] {
        assert!(skip(bytes).is_err(), "{bytes:x?}");
    }
}

#[test]
fn refuses_reserved_additional_information() {
    for info in 28u8..=30 {
        for major in 0u8..8 {
            assert!(skip(&[(major << 5) | info, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
        }
    }
}

#[test]
fn refuses_nesting_deeper_than_the_limit() {
    let nested = |depth: usize| {
        let mut bytes = std::vec![0x81u8; depth - 1];
        bytes.push(0x00);
        bytes
    };
    assert_eq!(skip(&nested(MAX_DEPTH)), Ok(()));
    assert_eq!(skip(&nested(MAX_DEPTH + 1)), Err("CBOR nested too deeply"));
    // Far deeper input fails just as fast (no recursion beyond the limit).
    assert_eq!(skip(&nested(100_000)), Err("CBOR nested too deeply"));
}

#[test]
fn refuses_more_items_than_the_limit() {
    let array = |count: usize| {
        let mut bytes = std::vec![0x99u8];
        bytes.extend_from_slice(&u16::try_from(count).unwrap().to_be_bytes());
        bytes.extend(core::iter::repeat_n(0u8, count));
        bytes
    };
    assert_eq!(skip(&array(MAX_ITEMS - 1)), Ok(()));
    assert_eq!(skip(&array(MAX_ITEMS)), Err("too many CBOR items"));
}

#[test]
fn refuses_lengths_beyond_the_input() {
    for bytes in [
        &b"\x5b\xff\xff\xff\xff\xff\xff\xff\xff"[..],
        b"\x7a\xff\xff\xff\xff",
        b"\x9b\x00\x00\x00\x01\x00\x00\x00\x00",
        b"\xbb\xff\xff\xff\xff\xff\xff\xff\xff",
        b"\x42\x01",
        b"\x82\x01",
        b"\xa1\x01",
    ] {
        assert!(skip(bytes).is_err(), "{bytes:x?}");
    }
}

#[test]
fn refuses_truncated_heads() {
    for bytes in [
        &b""[..],
        b"\x18",
        b"\x19\x01",
        b"\x1a\x01\x02\x03",
        b"\x1b\x01",
    ] {
        assert_eq!(skip(bytes), Err("truncated CBOR"), "{bytes:x?}");
    }
}

#[test]
fn refuses_duplicate_keys() {
    assert_eq!(
        skip(b"\xa2\x61a\x01\x61a\x02"),
        Err("duplicate CBOR map key")
    );
    assert_eq!(skip(b"\xa2\x01\x01\x01\x02"), Err("duplicate CBOR map key"));
    let mut seen = SeenKeys::default();
    assert!(seen.insert(Key::Int(3)).is_ok());
    assert!(seen.insert(Key::Text("3")).is_ok());
    assert_eq!(seen.insert(Key::Int(3)), Err("duplicate CBOR map key"));
}

#[test]
fn refuses_text_that_is_not_utf8() {
    assert_eq!(skip(b"\x62\xc3\x28"), Err("CBOR text is not UTF-8"));
}

#[test]
fn accepts_non_shortest_heads() {
    // 5 as a one-byte and a four-byte argument; a two-byte string length.
    assert_eq!(Reader::new(b"\x18\x05").int(), Ok(5));
    assert_eq!(Reader::new(b"\x1a\x00\x00\x00\x05").int(), Ok(5));
    assert_eq!(Reader::new(b"\x59\x00\x01\xaa").bytes(), Ok(&[0xaa][..]));
}

#[test]
fn finish_refuses_trailing_bytes() {
    assert_eq!(skip(b"\x01\x02"), Err("trailing bytes after the CBOR item"));
}
