use super::*;
use alloc::format;
use alloc::string::String;

#[test]
fn decodes_the_salt_of_a_jbcrypt_vector() {
    // Salt of "$2a$06$DCq7YPn5Rq63x1Lad4cll." as raw bytes (jBCrypt's TestBCrypt).
    let mut salt = [0u8; 16];
    decode(b"DCq7YPn5Rq63x1Lad4cll.", &mut salt).unwrap();
    assert_eq!(
        salt,
        [
            0x14, 0x4b, 0x3d, 0x69, 0x1a, 0x7b, 0x4e, 0xcf, 0x39, 0xcf, 0x73, 0x5c, 0x7f, 0xa7,
            0xa7, 0x9c
        ]
    );
}

#[test]
fn refuses_characters_outside_the_alphabet() {
    let mut out = [0u8; 16];
    assert!(decode(b"DCq7YPn5Rq63x1Lad4cl+.", &mut out).is_none());
    assert!(decode(b"DCq7YPn5Rq63x1Lad4cl", &mut out).is_none());
}

#[test]
fn refuses_unsupported_variants_and_costs() {
    let valid = "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.";
    assert!(parse(valid).is_some());
    for bad in [
        valid.replacen("$2a$", "$2x$", 1),
        valid.replacen("$2a$", "$2$a", 1),
        valid.replacen("$06$", "$03$", 1),
        valid.replacen("$06$", "$17$", 1),
        valid.replacen("$06$", "$31$", 1),
        valid.replacen("$06$", "$0a$", 1),
        valid.replacen("$06$", "$-6$", 1),
        String::from(&valid[..59]),
        format!("{valid}."),
    ] {
        assert!(parse(&bad).is_none(), "{bad}");
    }
}

#[test]
fn a_72_byte_password_ignores_what_follows() {
    let salt = [7u8; 16];
    let long = [b'x'; 100];
    assert_eq!(hash(4, &salt, &long[..72]), hash(4, &salt, &long));
    assert_ne!(hash(4, &salt, &long[..71]), hash(4, &salt, &long));
}
