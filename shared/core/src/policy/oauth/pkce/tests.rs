use super::*;

/// RFC 7636 Appendix B: the verifier's 32 octets, the verifier and the challenge.
#[test]
fn matches_the_rfc_7636_appendix_b_vector() {
    let octets: [u8; 32] = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    let verifier = verifier(&octets);
    assert_eq!(verifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    assert_eq!(
        challenge(&verifier),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    assert_eq!(METHOD, "S256");
}

#[test]
fn verifiers_have_the_length_rfc_7636_requires() {
    let verifier = verifier(&[0xff; 32]);
    assert!((43..=128).contains(&verifier.len()));
    assert!(verifier
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
}
