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
    assert!(parse_client_ip("").is_none());
    assert!(parse_client_ip("1.2.3.4:").is_none());
    assert!(parse_client_ip("1.2.3.4:99999").is_none());
    assert!(parse_client_ip("2001:db8::1:443").is_some_and(|ip| ip.is_ipv6()));
    assert!(parse_client_ip("[2001:db8::1]").is_none());
    assert!(parse_client_ip("example.com:443").is_none());
}

#[test]
fn reads_spin_client_addr_with_its_port() {
    assert_eq!(
        parse_client_ip("203.0.113.77:51234").map(rate_limit_key),
        Some("203.0.113.77".into())
    );
    assert_eq!(
        parse_client_ip("[2001:db8:1:2:3:4:5:6]:443").map(rate_limit_key),
        Some("2001:db8:1:2::/64".into())
    );
    assert_eq!(
        parse_client_ip(" 127.0.0.1:8080 ").map(storage_prefix),
        Some("127.0.0.0/24".into())
    );
}

#[test]
fn counts_ipv4_mapped_ipv6_as_ipv4() {
    assert_eq!(
        parse_client_ip("[::ffff:203.0.113.9]:80").map(rate_limit_key),
        Some("203.0.113.9".into())
    );
}

mod properties {
    use super::super::*;
    use core::net::{Ipv4Addr, Ipv6Addr, SocketAddrV6};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn an_ipv4_socket_address_is_its_address(octets in any::<[u8; 4]>(), port in any::<u16>()) {
            let ip = Ipv4Addr::from(octets);
            prop_assert_eq!(parse_client_ip(&alloc::format!("{ip}:{port}")), Some(IpAddr::V4(ip)));
            prop_assert_eq!(parse_client_ip(&alloc::format!("{ip}")), Some(IpAddr::V4(ip)));
        }

        #[test]
        fn an_ipv6_socket_address_is_its_address(segments in any::<[u16; 8]>(), port in any::<u16>()) {
            let ip = Ipv6Addr::from(segments);
            let socket = SocketAddrV6::new(ip, port, 0, 0);
            let expected = canonical(IpAddr::V6(ip));
            prop_assert_eq!(parse_client_ip(&alloc::format!("{socket}")), Some(expected));
            prop_assert_eq!(parse_client_ip(&alloc::format!("{ip}")), Some(expected));
        }

        #[test]
        fn the_port_never_changes_the_rate_limit_key(octets in any::<[u8; 4]>(), a in any::<u16>(), b in any::<u16>()) {
            let ip = Ipv4Addr::from(octets);
            prop_assert_eq!(
                parse_client_ip(&alloc::format!("{ip}:{a}")).map(rate_limit_key),
                parse_client_ip(&alloc::format!("{ip}:{b}")).map(rate_limit_key)
            );
        }

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,64}") {
            let _ = parse_client_ip(&text);
        }
    }
}
