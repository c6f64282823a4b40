use super::*;

fn object(members: &[(&[u8], &[u8])]) -> alloc::vec::Vec<u8> {
    let mut out = std::vec![0xa0 | u8::try_from(members.len()).unwrap()];
    for (key, value) in members {
        out.extend_from_slice(key);
        out.extend_from_slice(value);
    }
    out
}
const FMT: &[u8] = b"\x63fmt";
const STMT: &[u8] = b"\x67attStmt";
const AUTH: &[u8] = b"\x68authData";

#[test]
fn parses_a_none_object_in_any_member_order() {
    let canonical = object(&[(FMT, b"\x64none"), (STMT, b"\xa0"), (AUTH, b"\x43abc")]);
    let parsed = parse_attestation_object(&canonical).unwrap();
    assert_eq!(
        (parsed.fmt, parsed.att_stmt, parsed.auth_data),
        ("none", &[0xa0][..], &b"abc"[..])
    );
    assert_eq!(check(&parsed, AttestationPolicy::NoneOnly), Ok(()));
    let reordered = object(&[(AUTH, b"\x43abc"), (FMT, b"\x64none"), (STMT, b"\xa0")]);
    assert_eq!(parse_attestation_object(&reordered), Ok(parsed));
}

#[test]
fn refuses_missing_repeated_unknown_and_mistyped_members() {
    for bytes in [
        object(&[(FMT, b"\x64none"), (STMT, b"\xa0")]),
        object(&[(FMT, b"\x64none"), (STMT, b"\xa0"), (FMT, b"\x64none")]),
        object(&[
            (FMT, b"\x64none"),
            (STMT, b"\xa0"),
            (AUTH, b"\x41a"),
            (b"\x61x", b"\x00"),
        ]),
        object(&[
            (FMT, b"\x64none"),
            (STMT, b"\xa0"),
            (b"\x68authDatb", b"\x41a"),
        ]),
        object(&[(FMT, b"\x44none"), (STMT, b"\xa0"), (AUTH, b"\x41a")]),
        object(&[(FMT, b"\x64none"), (STMT, b"\x80"), (AUTH, b"\x41a")]),
        object(&[(FMT, b"\x64none"), (STMT, b"\xa0"), (AUTH, b"\x61a")]),
        object(&[(b"\x01", b"\x64none"), (STMT, b"\xa0"), (AUTH, b"\x41a")]),
    ] {
        assert!(parse_attestation_object(&bytes).is_err(), "{bytes:x?}");
    }
}

#[test]
fn only_an_empty_none_statement_passes_the_default_policy() {
    for (fmt, stmt) in [
        (&b"\x66packed"[..], &b"\xa0"[..]),
        (b"\x64None", b"\xa0"),
        (b"\x68fido-u2f", b"\xa0"),
        (b"\x64none", b"\xa1\x63sig\x40"),
        (b"\x64none", b"\xb8\x00"),
    ] {
        let bytes = object(&[(FMT, fmt), (STMT, stmt), (AUTH, b"\x41a")]);
        let parsed = parse_attestation_object(&bytes).unwrap();
        assert_eq!(
            check(&parsed, AttestationPolicy::NoneOnly),
            Err(Error::UnsupportedAttestation)
        );
    }
}

#[test]
fn refuses_oversized_objects_before_parsing() {
    let mut bytes = object(&[
        (FMT, b"\x64none"),
        (STMT, b"\xa0"),
        (AUTH, b"\x5a\x00\x00\x40\x00"),
    ]);
    bytes.extend(core::iter::repeat_n(0u8, 0x4000));
    assert_eq!(
        parse_attestation_object(&bytes).map(|_| ()),
        Err(Malformed::new(
            Part::AttestationObject,
            "attestation object too long"
        ))
    );
}
