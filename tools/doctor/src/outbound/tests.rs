//! Spin's allow-list rules, one entry form at a time.

use super::admits;

fn list(entries: &[&str]) -> Vec<String> {
    entries.iter().map(|entry| entry.to_string()).collect()
}

#[test]
fn any_https_host_on_443_admits_https_urls_only() {
    let entries = list(&["https://*:443"]);
    assert!(admits(&entries, "https://siem.example.net/hook"));
    assert!(admits(&entries, "https://key@o1.ingest.example.io/42"));
    assert!(!admits(&entries, "https://siem.example.net:8443/hook"));
    assert!(!admits(&entries, "http://127.0.0.1:9000/hook"));
}

#[test]
fn exact_hosts_suffixes_and_ports_follow_spins_rules() {
    let entries = list(&["https://siem.example.net", "http://127.0.0.1:9000..9010"]);
    assert!(admits(&entries, "https://SIEM.example.net/a"));
    assert!(!admits(&entries, "https://pager.example.net/a"));
    assert!(admits(&entries, "http://127.0.0.1:9005/a"));
    assert!(
        !admits(&entries, "http://127.0.0.1:9010/a"),
        "the end is excluded"
    );
    let suffix = list(&["https://*.example.net"]);
    assert!(admits(&suffix, "https://siem.example.net/"));
    assert!(!admits(&suffix, "https://example.net/"));
    assert!(!admits(&suffix, "https://evil-example.net/"));
    assert!(admits(&list(&["*://*:*"]), "http://anything:1/"));
    assert!(admits(&list(&["http://[::1]:8080"]), "http://[::1]:8080/x"));
}

#[test]
fn one_invalid_entry_or_none_at_all_admits_nothing() {
    let url = "https://siem.example.net/hook";
    assert!(!admits(&list(&[]), url));
    assert!(!admits(&list(&["https://*:443", ""]), url));
    assert!(!admits(&list(&["https://*:443", "siem.example.net"]), url));
    assert!(!admits(
        &list(&["https://*:443", "ftp://files.example.net"]),
        url
    ));
    assert!(!admits(&list(&["https://siem.example.net/hook"]), url));
}
