use super::*;
use alloc::vec;

const USER: &str = "0123456789abcdef0123456789abcdef";
const SESSION: &str = "fedcba9876543210fedcba9876543210";

fn token() -> RefreshToken {
    RefreshToken::new(USER, SESSION, Secret::new(vec![9u8; 32]))
}

#[test]
fn round_trips_its_wire_form() {
    let text = token().encode();
    assert_eq!(RefreshToken::parse(&text), Some(token()));
    assert!(text.starts_with(&alloc::format!("{USER}.{SESSION}.")));
}

#[test]
fn rejects_anything_not_of_our_shape() {
    let secret = encoding::b64url(&[1u8; 32]);
    for bad in [
        String::new(),
        alloc::format!("{USER}.{SESSION}"),
        alloc::format!("{USER}.{SESSION}.{secret}.x"),
        alloc::format!("{USER}.{SESSION}.{}", encoding::b64url(&[1u8; 31])),
        alloc::format!("{}.{SESSION}.{secret}", USER.to_uppercase()),
        alloc::format!("../x.{SESSION}.{secret}"),
        alloc::format!("{USER}.{SESSION}.{secret}="),
    ] {
        assert_eq!(RefreshToken::parse(&bad), None, "{bad}");
    }
}

#[test]
fn debug_output_hides_the_secret() {
    let text = alloc::format!("{:?}", token());
    assert!(!text.contains(&encoding::b64url(&[9u8; 32])));
    assert!(text.contains("REDACTED"));
}

#[test]
fn hash_matching_is_exact() {
    let t = token();
    assert!(t.matches(&t.secret_hash()));
    assert!(!t.matches(&encoding::hex(&[0u8; 32])));
}
