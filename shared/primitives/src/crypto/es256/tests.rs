use super::*;
use crate::encoding::b64url_decode;
use alloc::string::String;

/// A P-256 key made for these tests only (Node's `generateKeyPairSync("ec")`), with its
/// private scalar `d` from the same key's JWK export.
const TEST_KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgcpWSAK1ZYpIFmFXM
DTn3vhelVejpk40d6D9QpnGsKpahRANCAASKc1Vw8JHDNtGvQFrEeeIkvayJsP9K
ZgoJYL62uveaZ1hQNKpI9amttogmlwP/bcq6PYk27s/fZssfgr3LqNn+
-----END PRIVATE KEY-----
";
const TEST_KEY_D: &str = "cpWSAK1ZYpIFmFXMDTn3vhelVejpk40d6D9QpnGsKpY";
/// A P-384 key in PKCS#8, base64: another curve.
const P384_KEY_B64: &str = "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDCSmXs3X7fAgZHxbGe0JpHHfzFHjW775Yas4jcZCPyTg5kE+gS//bwyEfebaxCz8kahZANiAAT6YlH/9xA690t0+4xWVC4zrZ+YMGvsPNfXPD3PGpT+ZmNBHdO96/iTTZxV5vlYgDJW3VrOCPmBVxumU6LvZseU3geKY42EpKaYxmRKPyBwHV76otZEWORNxdeU9qYnLJA=";

fn pem_body() -> String {
    TEST_KEY_PEM
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect()
}

#[test]
fn reads_the_scalar_of_a_p256_pkcs8_key_as_pem_base64_or_der() {
    let d = b64url_decode(TEST_KEY_D).unwrap();
    let from_pem = p256_scalar_from_pkcs8(TEST_KEY_PEM.as_bytes()).unwrap();
    assert_eq!(from_pem.expose(), d.as_slice());
    let from_base64 = p256_scalar_from_pkcs8(pem_body().as_bytes()).unwrap();
    assert_eq!(from_base64.expose(), d.as_slice());
    let der = crate::encoding::b64_decode_lenient_whitespace(&pem_body()).unwrap();
    assert_eq!(p256_scalar_from_pkcs8(&der).unwrap().expose(), d.as_slice());
}

#[test]
fn refuses_other_curves_trailing_bytes_and_garbage() {
    assert!(p256_scalar_from_pkcs8(P384_KEY_B64.as_bytes()).is_none());
    let mut der = crate::encoding::b64_decode_lenient_whitespace(&pem_body()).unwrap();
    der.push(0);
    assert!(p256_scalar_from_pkcs8(&der).is_none());
    assert!(p256_scalar_from_pkcs8(b"").is_none());
    assert!(p256_scalar_from_pkcs8(b"not a key").is_none());
    assert!(p256_scalar_from_pkcs8(&[0x30; 5000]).is_none());
    // Every truncation of the DER is refused, never a panic.
    let der = crate::encoding::b64_decode_lenient_whitespace(&pem_body()).unwrap();
    for length in 0..der.len() {
        assert!(p256_scalar_from_pkcs8(&der[..length]).is_none(), "{length}");
    }
}

#[cfg(all(feature = "es256-signing", feature = "software-signatures"))]
#[test]
fn signatures_verify_under_the_public_key_and_are_deterministic() {
    use crate::crypto::signature::{
        Algorithm, SignatureCheck, SignatureVerifier, SoftwareVerifier,
    };
    let spki = b64url_decode("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEinNVcPCRwzbRr0BaxHniJL2sibD_SmYKCWC-trr3mmdYUDSqSPWprbaIJpcD_23Kuj2JNu7P32bLH4K9y6jZ_g").unwrap();
    let scalar = p256_scalar_from_pkcs8(TEST_KEY_PEM.as_bytes()).unwrap();
    let signature = sign(scalar.expose(), b"header.claims").unwrap();
    assert_eq!(signature, sign(scalar.expose(), b"header.claims").unwrap());
    let check = |message: &[u8]| {
        pollster::block_on(SoftwareVerifier.verify(&SignatureCheck {
            algorithm: Algorithm::Es256,
            public_key_spki: &spki,
            message,
            signature: &signature,
        }))
    };
    assert!(check(b"header.claims"));
    assert!(!check(b"header.claimz"));
    assert!(sign(&[0u8; 32], b"x").is_none());
}
