use super::*;

#[test]
fn common_browsers_read_as_family_on_system() {
    for (agent, expected) in [
        ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge on Windows"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari on macOS"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1", "Chrome on iOS"),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
        ("curl/8.5.0", "curl on unknown system"),
    ] {
        assert_eq!(summary(Some(agent)), expected, "{agent}");
    }
}

#[test]
fn nothing_the_client_wrote_reaches_the_summary() {
    assert_eq!(summary(None), "unknown device");
    assert_eq!(summary(Some("   ")), "unknown device");
    assert_eq!(
        summary(Some("<script>alert(1)</script> evil https://phish.example")),
        "unknown browser on unknown system"
    );
}

#[test]
fn versions_do_not_make_a_new_device() {
    let old = summary(Some(
        "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0",
    ));
    let new = summary(Some(
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    ));
    assert_eq!(old, new);
}
