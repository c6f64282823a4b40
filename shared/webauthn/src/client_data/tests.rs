use super::*;

const CHALLENGE: [u8; 16] = *b"0123456789abcdef";
const ORIGIN: &str = "https://auth.example.com";

fn json(kind: &str, extra: &str) -> std::string::String {
    std::format!(
        r#"{{"type":"{kind}","challenge":"{}","origin":"{ORIGIN}"{extra}}}"#,
        base64_url(&CHALLENGE)
    )
}

fn check_json(text: &str, ceremony: Ceremony) -> Result<(), Error> {
    let data = parse_client_data(text.as_bytes())?;
    check(&data, ceremony, &CHALLENGE, ORIGIN)
}

#[test]
fn accepts_a_matching_client_data_and_ignores_unknown_members() {
    assert_eq!(
        check_json(&json("webauthn.create", ""), Ceremony::Create),
        Ok(())
    );
    let extra = r#","crossOrigin":false,"other_keys_can_be_added_here":"do not compare","tokenBinding":{"status":"supported"}"#;
    assert_eq!(
        check_json(&json("webauthn.get", extra), Ceremony::Get),
        Ok(())
    );
}

#[test]
fn refuses_the_other_ceremony_type() {
    assert_eq!(
        check_json(&json("webauthn.get", ""), Ceremony::Create),
        Err(Error::WrongType)
    );
    assert_eq!(
        check_json(&json("webauthn.create", ""), Ceremony::Get),
        Err(Error::WrongType)
    );
    assert_eq!(
        check_json(&json("payment.get", ""), Ceremony::Get),
        Err(Error::WrongType)
    );
}

#[test]
fn compares_the_challenge_as_canonical_base64url() {
    let text = json("webauthn.get", "");
    let encoded = base64_url(&CHALLENGE);
    for other in [
        std::format!("{encoded}=="),                 // padded
        encoded.replace('-', "+").replace('_', "/"), // standard alphabet (no-op here) …
        std::format!("{encoded}A"),                  // extra character
        encoded[..encoded.len() - 1].into(),         // truncated
    ] {
        if other == encoded {
            continue;
        }
        let forged = text.replace(&encoded, &other);
        assert_eq!(
            check_json(&forged, Ceremony::Get),
            Err(Error::ChallengeMismatch),
            "{other}"
        );
    }
}

#[test]
fn compares_the_origin_exactly() {
    let text = json("webauthn.get", "");
    for other in [
        "https://auth.example.com/",
        "https://AUTH.example.com",
        "https://auth.example.com.evil.test",
        "http://auth.example.com",
        "https://auth.example.com:443",
    ] {
        let forged = text.replace(ORIGIN, other);
        assert_eq!(
            check_json(&forged, Ceremony::Get),
            Err(Error::OriginMismatch),
            "{other}"
        );
    }
}

#[test]
fn refuses_cross_origin_and_top_origin() {
    let cross = json("webauthn.get", r#","crossOrigin":true"#);
    assert_eq!(check_json(&cross, Ceremony::Get), Err(Error::CrossOrigin));
    let top = json("webauthn.get", r#","topOrigin":"https://evil.test""#);
    assert_eq!(check_json(&top, Ceremony::Get), Err(Error::CrossOrigin));
    let null = json("webauthn.get", r#","crossOrigin":null"#);
    assert_eq!(check_json(&null, Ceremony::Get), Ok(()));
}

#[test]
fn refuses_duplicate_members() {
    let twice = json("webauthn.get", r#","origin":"https://evil.test""#);
    assert!(matches!(
        check_json(&twice, Ceremony::Get),
        Err(Error::Malformed(_))
    ));
}

#[test]
fn refuses_malformed_or_oversized_client_data() {
    let long = json(
        "webauthn.get",
        &std::format!(r#","pad":"{}""#, "x".repeat(MAX_CLIENT_DATA_LEN)),
    );
    for text in [
        "",
        "[]",
        "null",
        r#"{"type":"webauthn.get"}"#,
        r#"{"type":1,"challenge":"","origin":""}"#,
        r#"{"type":"webauthn.get","challenge":"","origin":"","crossOrigin":"true"}"#,
        &long,
    ] {
        assert!(parse_client_data(text.as_bytes()).is_err(), "{text}");
    }
    assert!(parse_client_data(b"{\"type\":\"\xff\"}").is_err());
}

#[test]
fn reads_escaped_strings() {
    let text = json("webauthn.get", "").replace("webauthn.get", r"webauthn\u002eget");
    assert_eq!(check_json(&text, Ceremony::Get), Ok(()));
}
