use super::*;
use proptest::prelude::*;

fn parts(scheme: &str, host: &str, port: Option<u16>, path: &str, query: &str) -> Option<UrlParts> {
    Some(UrlParts {
        scheme: scheme.into(),
        host: host.into(),
        port,
        path: path.into(),
        query: query.into(),
    })
}

#[test]
fn splits_what_runtimes_serialize() {
    for (url, expected) in [
        (
            "https://auth.example.com/api/me",
            parts("https", "auth.example.com", None, "/api/me", ""),
        ),
        (
            "http://127.0.0.1:8787/api/me?x=1&y=%20",
            parts("http", "127.0.0.1", Some(8787), "/api/me", "x=1&y=%20"),
        ),
        (
            "https://[::1]:8443/a/b?",
            parts("https", "[::1]", Some(8443), "/a/b", ""),
        ),
        (
            "https://[2001:db8::1]/",
            parts("https", "[2001:db8::1]", None, "/", ""),
        ),
        (
            "https://xn--bcher-kva.example/?q",
            parts("https", "xn--bcher-kva.example", None, "/", "q"),
        ),
        (
            "https://auth.example.com",
            parts("https", "auth.example.com", None, "/", ""),
        ),
        (
            "https://auth.example.com?q=1",
            parts("https", "auth.example.com", None, "/", "q=1"),
        ),
        (
            "https://auth.example.com/api%2Fme#frag",
            parts("https", "auth.example.com", None, "/api%2Fme", ""),
        ),
        (
            "HTTPS://auth.example.com/x",
            parts("https", "auth.example.com", None, "/x", ""),
        ),
    ] {
        assert_eq!(split(url), expected, "{url}");
    }
}

#[test]
fn refuses_what_a_request_url_never_is() {
    for url in [
        "/api/me",
        "auth.example.com/api/me",
        "https:///api/me",
        "https://user:pass@auth.example.com/",
        "https://auth.example.com:port/",
        "https://auth.example.com:99999/",
        "https://:443/",
        "://auth.example.com/",
    ] {
        assert_eq!(split(url), None, "{url}");
    }
}

proptest! {
    #[test]
    fn never_panics_and_keeps_path_and_query_verbatim(
        host in "[a-z0-9.-]{1,20}",
        path in "(/[A-Za-z0-9%._~-]{0,8}){0,4}",
        query in "[A-Za-z0-9=&%._-]{0,12}",
        garbage in ".{0,40}",
    ) {
        let _ = split(&garbage);
        let url = alloc::format!("https://{host}{path}?{query}");
        let split = split(&url).unwrap();
        prop_assert_eq!(split.host, host);
        prop_assert_eq!(split.path, if path.is_empty() { "/".to_string() } else { path });
        prop_assert_eq!(split.query, query);
    }
}
