use super::*;

// RFC 7636 Appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

#[test]
fn the_rfc_7636_example_verifies() {
    assert!(is_challenge(CHALLENGE));
    assert!(is_verifier(VERIFIER));
    assert!(verifies(VERIFIER, CHALLENGE));
}

#[test]
fn any_other_verifier_fails() {
    let mut wrong = String::from(VERIFIER);
    wrong.replace_range(0..1, "e");
    assert!(!verifies(&wrong, CHALLENGE));
    // `plain` (verifier == challenge) is not S256.
    assert!(!verifies(CHALLENGE, CHALLENGE));
}

#[test]
fn malformed_verifiers_and_challenges_are_refused() {
    assert!(!is_verifier(&"a".repeat(42)));
    assert!(!is_verifier(&"a".repeat(129)));
    assert!(is_verifier(&"a".repeat(128)));
    assert!(!is_verifier(&alloc::format!("{}+", "a".repeat(42))));
    assert!(!is_challenge(&CHALLENGE[1..]));
    assert!(!is_challenge(&alloc::format!("{}=", &CHALLENGE[1..])));
}

use alloc::string::String;
