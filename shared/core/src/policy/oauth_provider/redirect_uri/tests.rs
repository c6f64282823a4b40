use super::*;
use alloc::string::ToString;
use alloc::vec::Vec;

fn registered(uris: &[&str]) -> Vec<String> {
    uris.iter().map(|uri| uri.to_string()).collect()
}

#[test]
fn registration_accepts_https_loopback_and_reverse_domain_schemes() {
    assert_eq!(
        classify("https://app.example.com/callback?x=1"),
        Ok(Kind::Web)
    );
    for uri in [
        "http://127.0.0.1/cb",
        "http://127.0.0.1:8400/cb",
        "http://[::1]:8400/cb",
        "http://localhost:3000/callback",
    ] {
        assert_eq!(classify(uri), Ok(Kind::Loopback), "{uri}");
    }
    assert_eq!(
        classify("com.example.app:/oauth2redirect"),
        Ok(Kind::PrivateUse)
    );
    assert_eq!(classify("com.example.app://callback"), Ok(Kind::PrivateUse));
}

#[test]
fn registration_refuses_dangerous_or_ambiguous_uris() {
    for uri in [
        "javascript:alert(1)",
        "data:text/html,<script>",
        "file:///etc/passwd",
        "vbscript:x",
        "https://app.example.com/cb#fragment",
        "https://user@app.example.com/cb",
        "https://app.example.com\\@evil.com/",
        "https://app.example.com/c b",
        "/relative/path",
        "https:///no-host",
        "Com.Example.App:/cb",
        "app:/cb",
        "",
    ] {
        assert!(classify(uri).is_err(), "{uri}");
    }
    assert_eq!(
        classify("http://app.example.com/cb"),
        Err(RedirectError::InsecureScheme)
    );
    assert_eq!(
        classify("http://127.0.0.1.nip.io/cb"),
        Err(RedirectError::InsecureScheme)
    );
    let long = alloc::format!("https://app.example.com/{}", "a".repeat(MAX_URI_BYTES));
    assert!(classify(&long).is_err());
}

#[test]
fn matching_is_exact_string_equality() {
    let list = registered(&["https://app.example.com/callback"]);
    assert_eq!(
        find(&list, "https://app.example.com/callback"),
        Some("https://app.example.com/callback")
    );
    for near in [
        "https://app.example.com/callbacK",
        "https://app.example.com/callback/",
        "https://app.example.com/callback?x=1",
        "https://APP.example.com/callback",
        "https://app.example.com:443/callback",
        "https://app.example.com/callback#",
        "https://app.example.com/callbac",
        "https://app.example.com.evil.com/callback",
        "http://app.example.com/callback",
    ] {
        assert_eq!(find(&list, near), None, "{near}");
    }
}

#[test]
fn every_one_character_change_of_a_registered_uri_is_refused() {
    let uri = "https://app.example.com/cb?x=1";
    let list = registered(&[uri]);
    for (index, _) in uri.char_indices() {
        for replacement in ['a', '/', '.', '%', 'Z'] {
            let mut changed = String::from(&uri[..index]);
            changed.push(replacement);
            changed.push_str(&uri[index + 1..]);
            if changed != uri {
                assert_eq!(find(&list, &changed), None, "{changed}");
            }
        }
        let mut removed = String::from(&uri[..index]);
        removed.push_str(&uri[index + 1..]);
        assert_eq!(find(&list, &removed), None, "{removed}");
    }
}

#[test]
fn a_registered_loopback_uri_matches_on_any_port_and_nothing_else() {
    let list = registered(&["http://127.0.0.1/callback", "http://[::1]:1234/cb"]);
    assert!(find(&list, "http://127.0.0.1:61234/callback").is_some());
    assert!(find(&list, "http://127.0.0.1/callback").is_some());
    assert!(find(&list, "http://[::1]:9/cb").is_some());
    for other in [
        "http://127.0.0.1:61234/callbacks",
        "http://127.0.0.2:61234/callback",
        "http://localhost:61234/callback",
        "https://127.0.0.1:61234/callback",
        "http://127.0.0.1:61234/callback?x",
        "http://127.0.0.1:abc/callback",
        "http://127.0.0.1:123456/callback",
        "http://[::1]:9/cb/",
    ] {
        assert_eq!(find(&list, other), None, "{other}");
    }
}

#[test]
fn a_web_uri_does_not_match_on_another_port() {
    let list = registered(&["https://app.example.com/cb"]);
    assert_eq!(find(&list, "https://app.example.com:8443/cb"), None);
}

#[test]
fn answers_are_appended_to_the_redirect_uris_own_query() {
    assert_eq!(
        with_params(
            "https://app.example.com/cb",
            &[("code", "a b"), ("state", "s&t")]
        ),
        "https://app.example.com/cb?code=a%20b&state=s%26t"
    );
    assert_eq!(
        with_params("https://app.example.com/cb?keep=1", &[("code", "c")]),
        "https://app.example.com/cb?keep=1&code=c"
    );
    assert_eq!(
        with_params("com.example.app:/cb?", &[("code", "c")]),
        "com.example.app:/cb?code=c"
    );
}
