//! Malformed and hostile stored strings: never a panic, always `Invalid`.

use super::*;

#[test]
fn malformed_or_unknown_stored_strings_are_invalid() {
    let good_argon = current("pw", &FAST);
    let good_bcrypt = "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe";
    let mut cases: Vec<String> = [
        "",
        "$",
        "$$$$",
        "pw",
        "plaintext-password",
        "$argon2id",
        "$argon2id$",
        "$argon2id$v=19",
        "$argon2id$v=19$m=64,t=1,p=1",
        "$argon2id$v=19$m=64,t=1,p=1$",
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ",
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$",
        "$argon2id$v=19$m=64,t=1,p=1$!!!$AAAA",
        "$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=1,t=1,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=18$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=2,p=1,x=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2xd$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
        "$pbkdf2-sha256$29000$N2GMcc5Zy1mrVWqtlVJKKQ$ePNm2u8ZjE/wK1KNMPBxvbBsEQp4DMvTVKyiDlVNcTE",
        "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
        "$2a$",
        "$2a$06$",
        "$2x$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe",
        "$2$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxee",
        "$2a$99$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe",
        "$2a$31$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe",
        "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVf€",
        "\u{0}\u{0}\u{0}",
        "🔑🔑🔑🔑",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Truncations and single-character corruptions of valid hashes.
    for valid in [good_argon.as_str(), good_bcrypt] {
        for cut in 0..valid.len() {
            if valid.is_char_boundary(cut) {
                cases.push(valid[..cut].to_string());
            }
        }
        cases.push(format!("{valid}A"));
        cases.push(valid.replacen('$', "$$", 1));
        cases.push(format!(" {valid}"));
    }
    for stored in &cases {
        for password in ["pw", "a", ""] {
            assert_eq!(
                verify_password(password, stored, &FAST, None),
                Verification::Invalid,
                "{stored:?}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn verification_never_panics_on_arbitrary_stored_strings(stored in ".{0,120}", password in ".{0,40}") {
        let _ = verify_password(&password, &stored, &FAST, None);
    }

    #[test]
    fn verification_never_panics_on_phc_like_strings(
        algorithm in prop_oneof![Just("argon2id"), Just("argon2i"), Just("argon2d"), Just("argon2"), Just("")],
        version in prop_oneof![Just(String::new()), (0u32..40).prop_map(|v| format!("v={v}$"))],
        m in 0u32..80, t in 0u32..4, p in 0u32..3,
        extra in prop_oneof![Just(String::new()), "[a-z]{1,6}=[A-Za-z0-9+/]{0,12}".prop_map(|s| format!(",{s}"))],
        salt in "[A-Za-z0-9+/]{0,70}", tag in "[A-Za-z0-9+/=.]{0,90}",
    ) {
        let stored = format!("${algorithm}${version}m={m},t={t},p={p}{extra}${salt}${tag}");
        let _ = verify_password("password", &stored, &FAST, None);
        let keyed = pepper(b"0123456789abcdef");
        let _ = verify_password("password", &stored, &FAST, Some(&keyed));
    }

    #[test]
    fn verification_never_panics_on_bcrypt_like_strings(
        variant in "[a-z0-9$]{0,2}", cost in "[0-9a-z-]{0,3}", body in "[./A-Za-z0-9$€]{0,60}",
    ) {
        let stored = format!("$2{variant}${cost}${body}");
        let _ = verify_password("password", &stored, &FAST, None);
    }

    #[test]
    fn a_corrupted_tag_never_verifies(index in 0usize..43, replacement in "[A-Za-z0-9+/]") {
        let stored = current("pw", &FAST);
        let tag_start = stored.rfind('$').unwrap() + 1;
        let mut bytes = stored.clone().into_bytes();
        let at = tag_start + index;
        prop_assume!(at < bytes.len() && bytes[at] != replacement.as_bytes()[0]);
        bytes[at] = replacement.as_bytes()[0];
        let corrupted = String::from_utf8(bytes).unwrap();
        prop_assert_eq!(verify_password("pw", &corrupted, &FAST, None), Verification::Invalid);
    }
}
