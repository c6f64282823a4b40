use super::*;
use crate::encoding::b64url;

fn token(header: &str, payload: &str, signature: &[u8]) -> String {
    alloc::format!(
        "{}.{}.{}",
        b64url(header.as_bytes()),
        b64url(payload.as_bytes()),
        b64url(signature)
    )
}

#[test]
fn parses_each_supported_algorithm_and_keeps_the_signing_input_as_received() {
    for alg in ["RS256", "ES256", "EdDSA"] {
        let header = alloc::format!(r#"{{"alg":"{alg}","kid":"k1","typ":"JWT"}}"#);
        let text = token(&header, r#"{"sub":"1"}"#, &[7; 64]);
        let jws = parse(&text).unwrap();
        assert_eq!(jws.algorithm.jose_name(), alg);
        assert_eq!(jws.kid.as_deref(), Some("k1"));
        assert_eq!(jws.signature, [7; 64]);
        let (input, _) = text.rsplit_once('.').unwrap();
        assert_eq!(jws.signing_input, input.as_bytes());
        assert_eq!(jws.payload, br#"{"sub":"1"}"#);
    }
}

#[test]
fn refuses_none_hmac_and_unknown_algorithms() {
    for alg in ["none", "None", "HS256", "RS384", "ES512", "PS256", "eddsa"] {
        let header = alloc::format!(r#"{{"alg":"{alg}"}}"#);
        assert_eq!(
            parse(&token(&header, "{}", &[1; 64])),
            Err(JwsError::UnsupportedAlgorithm),
            "{alg}"
        );
    }
    assert_eq!(
        parse(&token(r#"{"alg":1}"#, "{}", &[1])),
        Err(JwsError::Malformed)
    );
    assert_eq!(
        parse(&token(r#"{"kid":"a"}"#, "{}", &[1])),
        Err(JwsError::Malformed)
    );
}

#[test]
fn refuses_headers_that_name_a_key_source_or_an_extension() {
    for member in [
        r#""jku":"https://evil.example/keys""#,
        r#""x5u":"https://evil.example/cert""#,
        r#""jwk":{"kty":"OKP","crv":"Ed25519","x":"AA"}"#,
        r#""x5c":["MIIB"]"#,
        r#""crit":["b64"]"#,
        r#""enc":"A256GCM""#,
        r#""zip":"DEF""#,
        r#""jku":null"#,
    ] {
        let header = alloc::format!(r#"{{"alg":"RS256",{member}}}"#);
        assert_eq!(
            parse(&token(&header, "{}", &[1; 256])),
            Err(JwsError::ForbiddenHeader),
            "{member}"
        );
    }
}

#[test]
fn refuses_malformed_shapes_and_oversized_input() {
    let good = token(r#"{"alg":"ES256"}"#, "{}", &[1; 64]);
    assert!(parse(&good).is_ok());
    for bad in [
        String::new(),
        "a.b".into(),
        alloc::format!("{good}.extra"),
        good.replace('.', "!"),
        token(r#"{"alg":"ES256"}"#, "[1]", &[1; 64]),
        token(r#"{"alg":"ES256"}"#, "not json", &[1; 64]),
        token("[]", "{}", &[1; 64]),
        token(r#"{"alg":"ES256","alg":"ES256"}"#, "{}", &[1; 64]),
        token(r#"{"alg":"ES256"}"#, "{}", &[]),
        alloc::format!("{}=", good),
    ] {
        assert!(parse(&bad).is_err(), "{bad}");
    }
    let long_kid = alloc::format!(r#"{{"alg":"ES256","kid":"{}"}}"#, "k".repeat(257));
    assert_eq!(
        parse(&token(&long_kid, "{}", &[1; 64])),
        Err(JwsError::TooLarge)
    );
    let huge = token(
        r#"{"alg":"ES256"}"#,
        &alloc::format!(r#"{{"a":"{}"}}"#, "x".repeat(MAX_JWS_BYTES)),
        &[1; 64],
    );
    assert_eq!(parse(&huge), Err(JwsError::TooLarge));
}
