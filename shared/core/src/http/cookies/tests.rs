use super::*;
use proptest::prelude::*;

#[test]
fn finds_named_cookie_among_others() {
    let header = "a=1; __Host-access=tok.en; __Host-csrf=\"xyz\"";
    assert_eq!(get(header, "__Host-access"), Some("tok.en"));
    assert_eq!(get(header, "__Host-csrf"), Some("xyz"));
    assert_eq!(get(header, "missing"), None);
}

#[test]
fn first_occurrence_wins() {
    assert_eq!(get("x=1; x=2", "x"), Some("1"));
}

#[test]
fn renders_contract_attributes() {
    let cookie = SetCookie {
        name: "__Host-access",
        value: "v",
        path: "/",
        http_only: true,
        same_site: SameSite::Lax,
        max_age_secs: Some(900),
    };
    assert_eq!(
        cookie.render(),
        "__Host-access=v; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=900"
    );
}

proptest! {
    #[test]
    fn parsing_never_panics(header in ".{0,200}", name in "[a-z_-]{0,12}") {
        let _ = get(&header, &name);
    }
}
