use super::*;
use crate::env::fake::SeededRandom;
use crate::policy::mfa::base32;
use alloc::vec::Vec;
use proptest::prelude::*;
use sha2::{Sha256, Sha512};

const RFC_SECRET: &[u8] = b"12345678901234567890";

#[derive(serde::Deserialize)]
struct Vectors {
    secrets: Secrets,
    totp: Vec<TotpVector>,
    hotp: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Secrets {
    sha1: String,
    sha256: String,
    sha512: String,
}

#[derive(serde::Deserialize)]
struct TotpVector {
    time: u64,
    step_hex: String,
    mode: String,
    totp: String,
}

fn vectors() -> Vectors {
    serde_json::from_str(include_str!("../../../../tests/vectors/rfc6238.json")).unwrap()
}

#[test]
fn matches_every_rfc6238_appendix_b_vector() {
    let vectors = vectors();
    assert_eq!(vectors.totp.len(), 18);
    for vector in &vectors.totp {
        let step = time_step(vector.time);
        assert_eq!(
            format!("{step:016X}"),
            vector.step_hex,
            "T at {}",
            vector.time
        );
        let code = match vector.mode.as_str() {
            "SHA1" => hotp::<Sha1>(vectors.secrets.sha1.as_bytes(), step, 8),
            "SHA256" => hotp::<Sha256>(vectors.secrets.sha256.as_bytes(), step, 8),
            "SHA512" => hotp::<Sha512>(vectors.secrets.sha512.as_bytes(), step, 8),
            other => panic!("unknown mode {other}"),
        };
        assert_eq!(
            format!("{code:08}"),
            vector.totp,
            "{} at {}",
            vector.mode,
            vector.time
        );
    }
}

#[test]
fn six_digit_codes_are_the_rfc_codes_truncated() {
    for vector in vectors().totp.iter().filter(|v| v.mode == "SHA1") {
        assert_eq!(generate_code(RFC_SECRET, vector.time), vector.totp[2..]);
    }
}

#[test]
fn matches_rfc4226_appendix_d_hotp_values() {
    let vectors = vectors();
    assert_eq!(vectors.hotp.len(), 10);
    for (counter, expected) in vectors.hotp.iter().enumerate() {
        let value = hotp::<Sha1>(RFC_SECRET, counter as u64, 6);
        assert_eq!(format!("{value:06}"), *expected, "counter {counter}");
    }
}

#[test]
fn accepts_one_step_either_side_and_returns_the_step() {
    let now = 1_111_111_111; // step 37037037
    let step = time_step(now);
    for offset in [-1i64, 0, 1] {
        let at = (now as i64 + offset * 30) as u64;
        let code = generate_code(RFC_SECRET, at);
        assert_eq!(
            verify(RFC_SECRET, &code, now),
            Some(time_step(at)),
            "offset {offset}"
        );
    }
    assert_eq!(
        verify(RFC_SECRET, &generate_code(RFC_SECRET, now), now),
        Some(step)
    );
}

#[test]
fn rejects_codes_outside_the_window() {
    let now = 1_111_111_111;
    for offset in [-3i64, -2, 2, 3, 100] {
        let at = (now as i64 + offset * 30) as u64;
        let code = generate_code(RFC_SECRET, at);
        // Skip the rare coincidence that the far code equals a code in the window.
        let in_window =
            (-1i64..=1).any(|w| generate_code(RFC_SECRET, (now as i64 + w * 30) as u64) == code);
        if !in_window {
            assert_eq!(verify(RFC_SECRET, &code, now), None, "offset {offset}");
        }
    }
}

#[test]
fn rejects_a_wrong_secret() {
    let code = generate_code(RFC_SECRET, 59);
    assert_eq!(verify(b"another secret of twenty", &code, 59), None);
}

#[test]
fn rejects_malformed_codes_before_computing() {
    let now = 59;
    let good = generate_code(RFC_SECRET, now);
    assert!(verify(RFC_SECRET, &good, now).is_some());
    for bad in [
        "",
        "12345",
        "1234567",
        &format!(" {good}"),
        &format!("{good} "),
        &format!("{} {}", &good[..3], &good[3..]),
        "+12345",
        "-12345",
        "12345a",
        "١٢٣٤٥٦",       // Arabic-Indic digits
        "１２３４５６", // full-width digits
        "0x1234",
        &format!("{good}\0"),
        &format!("0{good}"),
    ] {
        assert_eq!(verify(RFC_SECRET, bad, now), None, "{bad:?}");
    }
}

#[test]
fn a_used_step_is_not_reported_again() {
    let now = 1_234_567_890;
    let code = generate_code(RFC_SECRET, now);
    let step = verify(RFC_SECRET, &code, now).unwrap();
    assert_eq!(verify_after(RFC_SECRET, &code, now, Some(step)), None);
    assert_eq!(verify_after(RFC_SECRET, &code, now + 30, Some(step)), None);
    assert_eq!(
        verify_after(RFC_SECRET, &code, now, Some(step - 1)),
        Some(step)
    );
    // The next step's code is still accepted.
    let next = generate_code(RFC_SECRET, now + 30);
    assert_eq!(
        verify_after(RFC_SECRET, &next, now + 30, Some(step)),
        Some(step + 1)
    );
}

#[test]
fn window_edges_do_not_wrap() {
    // At step 0 there is no step -1; at the end of time no step +1.
    let code = generate_code(RFC_SECRET, 0);
    assert_eq!(verify(RFC_SECRET, &code, 0), Some(0));
    let last = u64::MAX;
    let code = generate_code(RFC_SECRET, last);
    assert_eq!(verify(RFC_SECRET, &code, last), Some(time_step(last)));
}

#[test]
fn new_secrets_are_160_bits_and_differ() {
    let random = SeededRandom::new(21);
    let a = new_secret(&random).unwrap();
    let b = new_secret(&random).unwrap();
    assert_eq!(a.len(), SECRET_LEN);
    assert_ne!(a, b);
    assert_eq!(base32::encode(a.expose()).len(), 32);
}

#[test]
fn otpauth_uri_has_the_key_uri_shape() {
    let uri = otpauth_uri("app.example.com", "alice@example.com", "GEZDGNBVGY3TQOJQ");
    assert_eq!(
        uri,
        "otpauth://totp/app.example.com:alice%40example.com?secret=GEZDGNBVGY3TQOJQ\
         &issuer=app.example.com&algorithm=SHA1&digits=6&period=30"
    );
}

#[test]
fn otpauth_uri_escapes_structure_characters() {
    let uri = otpauth_uri("Acme Co:&x=1", "a/b?c#d é", "ABC=");
    assert_eq!(
        uri,
        "otpauth://totp/Acme%20Co%3A%26x%3D1:a%2Fb%3Fc%23d%20%C3%A9?secret=ABC%3D\
         &issuer=Acme%20Co%3A%26x%3D1&algorithm=SHA1&digits=6&period=30"
    );
}

proptest! {
    #[test]
    fn generated_codes_verify_at_their_time(secret in proptest::collection::vec(any::<u8>(), 1..64), now in 30u64..u64::MAX / 2) {
        let code = generate_code(&secret, now);
        prop_assert_eq!(code.len(), 6);
        prop_assert!(verify(&secret, &code, now).is_some());
    }

    #[test]
    fn verification_never_panics(code in "\\PC{0,12}", now in any::<u64>(), last in proptest::option::of(any::<u64>())) {
        let _ = verify_after(RFC_SECRET, &code, now, last);
    }

    #[test]
    fn percent_encoding_leaves_only_unreserved_characters_and_escapes(text in "\\PC{0,40}") {
        let encoded = percent_encode(&text);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
        prop_assert_eq!(crate::encoding::percent_decode(&encoded), text);
    }
}
