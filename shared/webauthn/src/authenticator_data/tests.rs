use super::*;

/// An Ed25519 COSE key.
const KEY: [u8; 42] = {
    let mut key = [0x11u8; 42];
    let head = [0xa4, 0x01, 0x01, 0x03, 0x27, 0x20, 0x06, 0x21, 0x58];
    let mut i = 0;
    while i < head.len() {
        key[i] = head[i];
        i += 1;
    }
    key[9] = 0x20;
    key
};

fn data(flags: u8, credential_id_len: usize, tail: &[u8]) -> Vec<u8> {
    let mut out = std::vec![0xaa; 32];
    out.push(flags);
    out.extend_from_slice(&[0, 0, 0, 9]);
    if flags & Flags::ATTESTED_CREDENTIAL != 0 {
        out.extend_from_slice(&[0x44; 16]);
        out.extend_from_slice(&u16::try_from(credential_id_len).unwrap().to_be_bytes());
        out.extend(core::iter::repeat_n(0x55, credential_id_len));
        out.extend_from_slice(&KEY);
    }
    out.extend_from_slice(tail);
    out
}

use alloc::vec::Vec;

#[test]
fn parses_assertion_authenticator_data() {
    let bytes = data(0x1d, 0, &[]);
    let parsed = parse_authenticator_data(&bytes).unwrap();
    assert_eq!(parsed.rp_id_hash, &[0xaa; 32]);
    assert_eq!(parsed.sign_count, 9);
    assert!(parsed.flags.user_present() && parsed.flags.user_verified());
    assert!(parsed.flags.backup_eligible() && parsed.flags.backup_state());
    assert_eq!(parsed.attested_credential, None);
    assert_eq!(parsed.extensions, None);
}

#[test]
fn parses_attested_credential_data() {
    let bytes = data(0x41, 64, &[]);
    let parsed = parse_authenticator_data(&bytes).unwrap();
    let credential = parsed.attested_credential.unwrap();
    assert_eq!(credential.aaguid, [0x44; 16]);
    assert_eq!(credential.credential_id, &[0x55; 64][..]);
    assert_eq!(credential.public_key_cose, &KEY[..]);
    assert_eq!(credential.public_key, PublicKey::Ed25519([0x11; 32]));
}

#[test]
fn credential_ids_are_1_to_1023_bytes() {
    assert!(parse_authenticator_data(&data(0x41, 1023, &[])).is_ok());
    assert!(parse_authenticator_data(&data(0x41, 1024, &[])).is_err());
    assert!(parse_authenticator_data(&data(0x41, 0, &[])).is_err());
}

#[test]
fn skips_extensions_and_returns_them_raw() {
    // {"credProtect": 2, "hmac-secret": true}
    let ext = b"\xa2\x6bcredProtect\x02\x6bhmac-secret\xf5";
    let bytes = data(0xc5, 16, ext);
    let parsed = parse_authenticator_data(&bytes).unwrap();
    assert_eq!(parsed.extensions, Some(&ext[..]));
    assert!(parsed.attested_credential.is_some());
    // In an assertion too.
    let bytes = data(0x81, 0, ext);
    assert_eq!(
        parse_authenticator_data(&bytes).unwrap().extensions,
        Some(&ext[..])
    );
}

#[test]
fn refuses_extensions_that_are_not_one_well_formed_map() {
    for ext in [
        &b""[..],                                         // ED set, nothing follows
        b"\x80",                                          // an array
        b"\xa1\x01\x02",                                  // integer identifier
        b"\xa2\x61a\x01\x61a\x02",                        // duplicate identifier
        b"\xa1\x61a\x5f\x41\x00\xff",                     // indefinite-length value
        b"\xa1\x61a\x81\x81\x81\x81\x81\x81\x81\x81\x00", // nested too deeply
        b"\xa1\x61a\x01\x00",                             // trailing byte
    ] {
        assert!(
            parse_authenticator_data(&data(0x81, 0, ext)).is_err(),
            "{ext:x?}"
        );
    }
}

#[test]
fn flags_and_structure_must_agree() {
    // AT set without credential data; ED clear with extensions present; AT clear with a
    // credential appended.
    assert!(parse_authenticator_data(
        &data(0x01, 0, &[])[..37]
            .iter()
            .copied()
            .chain([0x41])
            .collect::<Vec<_>>()
    )
    .is_err());
    let mut at_without = data(0x01, 0, &[]);
    at_without[32] = 0x41;
    assert!(parse_authenticator_data(&at_without).is_err());
    assert!(parse_authenticator_data(&data(0x01, 0, b"\xa0")).is_err());
    let mut credential_without_at = data(0x41, 16, &[]);
    credential_without_at[32] = 0x01;
    assert!(parse_authenticator_data(&credential_without_at).is_err());
}

#[test]
fn refuses_short_and_oversized_input() {
    for len in 0..37 {
        assert!(parse_authenticator_data(&data(0x01, 0, &[])[..len]).is_err());
    }
    let long = data(0x01, 0, &std::vec![0u8; MAX_AUTHENTICATOR_DATA_LEN]);
    assert!(parse_authenticator_data(&long).is_err());
}

#[test]
fn an_unsupported_key_algorithm_is_reported_as_such() {
    let mut bytes = data(0x41, 16, &[]);
    let alg = 37 + 16 + 2 + 16 + 4; // the `alg` value inside KEY
    assert_eq!(bytes[alg], 0x27);
    bytes[alg] = 0x26; // ES256 on an OKP key: malformed, not unsupported
    assert!(matches!(
        parse_authenticator_data(&bytes),
        Err(Error::Malformed(_))
    ));
}
