use super::*;
use crate::encoding::b64url_decode;
use alloc::format;
use alloc::string::ToString;
use serde_json::{json, Value};

fn rfc7517() -> Value {
    serde_json::from_str(include_str!("../../../tests/vectors/rfc7517.json")).unwrap()
}

fn jws_vectors() -> Vec<Value> {
    let file: Value =
        serde_json::from_str(include_str!("../../../tests/vectors/jws-signatures.json")).unwrap();
    file["vectors"].as_array().unwrap().clone()
}

fn member(jwk: &Value, name: &str) -> Vec<u8> {
    b64url_decode(jwk[name].as_str().unwrap()).unwrap()
}

fn parse(jwk: &Value) -> Result<Jwk, JwkError> {
    parse_jwk(jwk.to_string().as_bytes())
}

fn jwks(keys: &[Value]) -> Result<Vec<Jwk>, JwkError> {
    parse_jwks(json!({ "keys": keys }).to_string().as_bytes())
}

/// A JWK with `changes` applied (`null` removes a member).
fn with(jwk: &Value, changes: Value) -> Value {
    let mut out = jwk.clone();
    for (name, value) in changes.as_object().unwrap() {
        if value.is_null() {
            out.as_object_mut().unwrap().remove(name);
        } else {
            out[name] = value.clone();
        }
    }
    out
}

/// The RFC 7515 A.2 (RSA), A.3 (EC) and RFC 8037 (OKP) public JWKs.
fn rsa() -> Value {
    jws_vectors()[0]["jwk"].clone()
}
fn ec() -> Value {
    jws_vectors()[1]["jwk"].clone()
}
fn okp() -> Value {
    jws_vectors()[2]["jwk"].clone()
}

#[test]
fn reads_the_rfc_jwks_into_their_algorithm_and_nodes_spki() {
    for vector in jws_vectors() {
        let key = parse(&vector["jwk"]).unwrap();
        assert_eq!(key.algorithm.jose_name(), vector["alg"]);
        assert_eq!(key.kid, None);
        let expected = b64url_decode(vector["spki"].as_str().unwrap()).unwrap();
        assert_eq!(key.spki, expected, "{}", vector["name"]);
    }
}

#[test]
fn the_rfc_7517_public_set_yields_its_signature_key_and_skips_its_encryption_key() {
    let file = rfc7517();
    let keys = parse_jwks(file["a1_public_keys"].to_string().as_bytes()).unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].kid.as_deref(), Some("2011-04-29"));
    assert_eq!(keys[0].algorithm, Algorithm::Rs256);
    let expected = b64url_decode(file["a1_spki"]["2011-04-29"].as_str().unwrap()).unwrap();
    assert_eq!(keys[0].spki, expected);
    // Alone, the `use: enc` key is refused as unsupported — and without its `use`, it is
    // a P-256 key whose SPKI is Node's.
    let ec_key = &file["a1_public_keys"]["keys"][0];
    assert_eq!(parse(ec_key), Err(JwkError::Unsupported));
    let as_signature_key = parse(&with(ec_key, json!({ "use": "sig" }))).unwrap();
    let expected = b64url_decode(file["a1_spki"]["1"].as_str().unwrap()).unwrap();
    assert_eq!(as_signature_key.spki, expected);
    assert_eq!(as_signature_key.algorithm, Algorithm::Es256);
}

#[test]
fn refuses_the_rfc_private_and_symmetric_keys() {
    let file = rfc7517();
    for entry in file["private_keys"].as_array().unwrap() {
        assert_eq!(
            parse(&entry["jwk"]),
            Err(JwkError::PrivateKey),
            "{}",
            entry["source"]
        );
        assert_eq!(jwks(&[entry["jwk"].clone()]), Err(JwkError::PrivateKey));
    }
    let symmetric = file["a3_symmetric_keys"].to_string();
    assert_eq!(parse_jwks(symmetric.as_bytes()), Err(JwkError::PrivateKey));
}

#[test]
fn refuses_every_private_member_whatever_its_value() {
    for name in ["d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"] {
        for value in [json!("AQAB"), Value::Null, json!([])] {
            for key in [rsa(), ec(), okp()] {
                let private = with(&key, json!({}));
                let mut private = private;
                private[name] = value.clone();
                assert_eq!(
                    parse(&private),
                    Err(JwkError::PrivateKey),
                    "{name}: {value}"
                );
            }
        }
    }
}

#[test]
fn refuses_unknown_key_types_and_curves_as_unsupported() {
    let unsupported = [
        with(&ec(), json!({ "crv": "P-384" })),
        with(&ec(), json!({ "crv": "secp256k1" })),
        with(&okp(), json!({ "crv": "X25519" })),
        with(&okp(), json!({ "crv": "Ed448" })),
        with(&okp(), json!({ "kty": "EC" })),
        with(&ec(), json!({ "kty": "OKP", "y": null })),
        with(&okp(), json!({ "kty": "AKP" })),
        with(&rsa(), json!({ "kty": "rsa" })),
        with(&ec(), json!({ "crv": null })),
        with(&okp(), json!({ "crv": null })),
    ];
    for jwk in unsupported {
        assert_eq!(parse(&jwk), Err(JwkError::Unsupported), "{jwk}");
    }
}

#[test]
fn refuses_an_alg_use_or_key_ops_that_is_not_its_signature_algorithm() {
    for (key, alg) in [(rsa(), "RS256"), (ec(), "ES256"), (okp(), "EdDSA")] {
        assert!(parse(&with(
            &key,
            json!({ "alg": alg, "use": "sig", "key_ops": ["verify"] })
        ))
        .is_ok());
        for other in [
            "RS256", "ES256", "EdDSA", "RS384", "PS256", "ES384", "RSA-OAEP", "none", "HS256",
            "Ed25519",
        ] {
            if other != alg {
                let jwk = with(&key, json!({ "alg": other }));
                assert_eq!(parse(&jwk), Err(JwkError::Unsupported), "{jwk}");
            }
        }
        for refused in [
            json!({ "use": "enc" }),
            json!({ "use": "SIG" }),
            json!({ "key_ops": ["sign"] }),
            json!({ "key_ops": [] }),
        ] {
            let jwk = with(&key, refused);
            assert_eq!(parse(&jwk), Err(JwkError::Unsupported), "{jwk}");
        }
    }
}

#[test]
fn refuses_missing_stray_or_badly_encoded_members_as_malformed() {
    let x = okp()["x"].as_str().unwrap().to_string();
    let malformed = [
        with(&rsa(), json!({ "n": null })),
        with(&rsa(), json!({ "e": null })),
        with(&rsa(), json!({ "x": x })),
        with(&rsa(), json!({ "crv": "P-256" })),
        with(&ec(), json!({ "y": null })),
        with(&ec(), json!({ "n": "AQAB" })),
        with(&okp(), json!({ "x": null })),
        with(&okp(), json!({ "y": x })),
        // Lengths: 31 and 33 bytes.
        with(
            &okp(),
            json!({ "x": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }),
        ),
        with(
            &ec(),
            json!({ "x": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }),
        ),
        // Padding, the standard alphabet, non-canonical trailing bits, whitespace.
        with(&okp(), json!({ "x": format!("{x}=") })),
        with(&okp(), json!({ "x": x.replace('_', "/") })),
        with(&okp(), json!({ "x": format!("{}p", &x[..42]) })),
        with(&okp(), json!({ "x": format!(" {x}") })),
        // RSA members with leading zero bytes (RFC 7518 §6.3.1).
        with(&rsa(), json!({ "e": "AAEAAQ" })),
        with(
            &rsa(),
            json!({ "n": crate::encoding::b64url(&[&[0u8][..], &member(&rsa(), "n")].concat()) }),
        ),
        // Wrong types.
        with(&okp(), json!({ "x": 5 })),
        with(&okp(), json!({ "kid": 5 })),
        with(&okp(), json!({ "kty": null })),
        with(&okp(), json!({ "key_ops": "verify" })),
        json!([]),
        json!("OKP"),
    ];
    for jwk in malformed {
        assert_eq!(parse(&jwk), Err(JwkError::Malformed), "{jwk}");
    }
    for text in [
        "",
        "{",
        "null",
        r#"{"kty":"OKP","kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
    ] {
        assert_eq!(
            parse_jwk(text.as_bytes()),
            Err(JwkError::Malformed),
            "{text}"
        );
    }
}

#[test]
fn refuses_rsa_keys_outside_the_policy_as_unsupported() {
    let n = member(&rsa(), "n");
    let e3 = with(&rsa(), json!({ "e": "Aw" }));
    let short = with(&rsa(), json!({ "n": crate::encoding::b64url(&n[..128]) }));
    for jwk in [e3, short] {
        assert_eq!(parse(&jwk), Err(JwkError::Unsupported), "{jwk}");
    }
}

#[test]
fn bounds_the_document_the_key_count_and_the_key_id() {
    let padding = " ".repeat(MAX_JWKS_BYTES);
    let big = format!("{{\"keys\":[]{padding}}}");
    assert_eq!(parse_jwks(big.as_bytes()), Err(JwkError::TooLarge));
    assert_eq!(parse_jwk(big.as_bytes()), Err(JwkError::TooLarge));
    let many: Vec<Value> = (0..=MAX_KEYS)
        .map(|i| with(&okp(), json!({ "kid": format!("k{i}") })))
        .collect();
    assert_eq!(jwks(&many), Err(JwkError::TooLarge));
    assert_eq!(jwks(&many[..MAX_KEYS]).unwrap().len(), MAX_KEYS);
    let kid = "k".repeat(MAX_KID_BYTES);
    assert!(parse(&with(&okp(), json!({ "kid": kid }))).is_ok());
    let kid = "k".repeat(MAX_KID_BYTES + 1);
    assert_eq!(
        parse(&with(&okp(), json!({ "kid": kid }))),
        Err(JwkError::TooLarge)
    );
}

#[test]
fn a_set_skips_keys_for_others_and_refuses_malformed_ones_and_shared_key_ids() {
    let keys = [
        with(
            &rsa(),
            json!({ "kid": "r", "use": "enc", "alg": "RSA-OAEP" }),
        ),
        with(&ec(), json!({ "kid": "p384", "crv": "P-384" })),
        json!({ "kty": "oct", "kid": "unknown" }),
        with(&rsa(), json!({ "kid": "r" })),
        with(&ec(), json!({ "kid": "e", "x5c": ["MIIB"], "x5t": "abc" })),
        with(&okp(), json!({ "kid": "o" })),
    ];
    let usable = jwks(&keys).unwrap();
    let kids: Vec<_> = usable
        .iter()
        .map(|key| key.kid.as_deref().unwrap())
        .collect();
    assert_eq!(kids, ["r", "e", "o"]);

    let mut with_malformed = keys.to_vec();
    with_malformed.push(with(&okp(), json!({ "kid": "bad", "x": "AA" })));
    assert_eq!(jwks(&with_malformed), Err(JwkError::Malformed));

    let mut shared = keys.to_vec();
    shared.push(with(&okp(), json!({ "kid": "e" })));
    assert_eq!(jwks(&shared), Err(JwkError::DuplicateKeyId));

    for document in [
        json!({}),
        json!({ "keys": {} }),
        json!({ "keys": [5] }),
        json!([]),
    ] {
        assert_eq!(
            parse_jwks(document.to_string().as_bytes()),
            Err(JwkError::Malformed),
            "{document}"
        );
    }
    assert_eq!(jwks(&[]), Ok(Vec::new()));
}

#[test]
fn finds_the_key_a_jws_header_names() {
    let keys = jwks(&[
        with(&rsa(), json!({ "kid": "r" })),
        with(&ec(), json!({ "kid": "e" })),
    ])
    .unwrap();
    assert_eq!(find(&keys, Some("r"), Algorithm::Rs256), Some(&keys[0]));
    assert_eq!(find(&keys, Some("e"), Algorithm::Es256), Some(&keys[1]));
    // A kid with another algorithm than its key's, an unknown kid, no kid among several.
    assert_eq!(find(&keys, Some("r"), Algorithm::Es256), None);
    assert_eq!(find(&keys, Some("x"), Algorithm::Rs256), None);
    assert_eq!(find(&keys, None, Algorithm::Rs256), None);
    // Without a kid, a set of one key answers with it, for its algorithm only.
    let one = jwks(&[rsa()]).unwrap();
    assert_eq!(find(&one, None, Algorithm::Rs256), Some(&one[0]));
    assert_eq!(find(&one, None, Algorithm::EdDsa), None);
    assert_eq!(find(&one, Some("r"), Algorithm::Rs256), None);
}
