use super::*;

#[test]
fn coarsens_addresses() {
    let v4 = parse_client_ip("203.0.113.77").unwrap();
    assert_eq!(rate_limit_key(v4), "203.0.113.77");
    assert_eq!(storage_prefix(v4), "203.0.113.0/24");
    let v6 = parse_client_ip("2001:db8:1:2:3:4:5:6").unwrap();
    assert_eq!(rate_limit_key(v6), "2001:db8:1:2::/64");
    assert_eq!(storage_prefix(v6), "2001:db8:1::/48");
}

#[test]
fn ignores_lists_and_garbage() {
    assert!(parse_client_ip("1.2.3.4, 5.6.7.8").is_none());
    assert!(parse_client_ip("nope").is_none());
}
