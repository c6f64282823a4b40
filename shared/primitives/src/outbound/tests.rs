use super::*;

#[test]
fn append_capped_takes_exactly_the_limit_and_refuses_one_byte_more() {
    let mut body = Vec::new();
    append_capped(&mut body, b"abc", 5).unwrap();
    append_capped(&mut body, b"de", 5).unwrap();
    assert_eq!(body, b"abcde");
    assert_eq!(
        append_capped(&mut body, b"f", 5),
        Err(OutboundError::TooLarge)
    );
    assert_eq!(body, b"abcde");
}

#[test]
fn no_outbound_denies_every_request() {
    let request = OutboundRequest {
        method: OutboundMethod::Get,
        url: "https://example.com/",
        headers: &[],
        body: None,
        max_response_bytes: 10,
        timeout_ms: 10,
    };
    assert_eq!(
        pollster::block_on(NoOutbound.send(&request)),
        Err(OutboundError::Denied)
    );
}
