use super::*;
use proptest::prelude::*;

#[test]
fn reads_pairs_with_plus_and_percent_decoding() {
    let params =
        Params::parse("a=1&scope=openid+email&redirect_uri=https%3A%2F%2Fx.example%2Fcb").unwrap();
    assert_eq!(params.one("a"), Ok(Some("1")));
    assert_eq!(params.one("scope"), Ok(Some("openid email")));
    assert_eq!(params.one("redirect_uri"), Ok(Some("https://x.example/cb")));
    assert_eq!(params.one("missing"), Ok(None));
}

#[test]
fn a_repeated_single_parameter_is_an_error_and_never_its_first_value() {
    let params =
        Params::parse("redirect_uri=https%3A%2F%2Fgood&redirect_uri=https%3A%2F%2Fevil").unwrap();
    assert_eq!(
        params.one("redirect_uri"),
        Err(ParamError::Repeated("redirect_uri"))
    );
}

#[test]
fn repeatable_parameters_yield_every_non_empty_value() {
    let params =
        Params::parse("resource=https%3A%2F%2Fa&resource=&resource=https%3A%2F%2Fb").unwrap();
    assert_eq!(
        params.all("resource").collect::<alloc::vec::Vec<_>>(),
        ["https://a", "https://b"]
    );
}

#[test]
fn an_empty_value_counts_as_absent() {
    let params = Params::parse("state=&nonce").unwrap();
    assert_eq!(params.one("state"), Ok(None));
    assert_eq!(params.one("nonce"), Ok(None));
    assert!(params.has("state"));
}

#[test]
fn bad_encodings_refuse_the_whole_input() {
    for bad in ["a=%", "a=%4", "a=%zz", "a=%C3%28", "%FF=1"] {
        assert_eq!(Params::parse(bad), Err(ParamError::Malformed), "{bad}");
    }
    assert_eq!(
        Params::parse_body(&[0xff, b'=', b'1']),
        Err(ParamError::Malformed)
    );
}

#[test]
fn too_many_parameters_are_refused() {
    let many: alloc::vec::Vec<alloc::string::String> =
        (0..=MAX_PAIRS).map(|i| alloc::format!("p{i}=1")).collect();
    assert_eq!(Params::parse(&many.join("&")), Err(ParamError::Malformed));
}

#[test]
fn encoding_keeps_unreserved_characters_only() {
    assert_eq!(encode_component("a b&c=d/é~"), "a%20b%26c%3Dd%2F%C3%A9~");
}

proptest! {
    #[test]
    fn encoding_then_decoding_is_the_identity(text in "\\PC{0,40}") {
        prop_assert_eq!(decode_component(&encode_component(&text)), Some(text));
    }

    #[test]
    fn parsing_never_panics(text in "\\PC{0,80}") {
        let _ = Params::parse(&text);
    }
}
