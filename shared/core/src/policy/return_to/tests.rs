use super::*;
use alloc::string::ToString;
use alloc::vec::Vec;
use proptest::prelude::*;

fn allowed() -> Vec<String> {
    ["/account", "/example/"]
        .iter()
        .map(|p| p.to_string())
        .collect()
}

fn check(candidate: &str) -> Option<String> {
    validate(candidate, &allowed())
}

#[test]
fn allows_listed_paths_and_paths_below_them() {
    for good in [
        "/account",
        "/account/",
        "/account/security",
        "/example/",
        "/example/dashboard",
        "/example/report?week=3&sort=asc",
    ] {
        assert_eq!(check(good).as_deref(), Some(good), "{good}");
    }
}

#[test]
fn refuses_paths_outside_the_list() {
    for bad in [
        "/",
        "/accounts",
        "/account-settings",
        "/example",
        "/admin",
        "/sign-in",
    ] {
        assert_eq!(check(bad), None, "{bad}");
    }
}

#[test]
fn refuses_every_open_redirect_form() {
    for bad in [
        "https://evil.example/account",
        "http://evil.example",
        "//evil.example/account",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "\\/evil.example",
        "/account\\..\\..\\evil",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,x",
        " /account",
        "/account\t",
        "/account\n//evil.example",
        "/account/../evil",
        "/account/./x",
        "/account//evil.example",
        "/account/%2e%2e/evil",
        "/%2F%2Fevil.example",
        "/account%2F..%2Fevil",
        "/account?next=%2F%2Fevil",
        "/account#//evil.example",
        "/account?x=1#frag",
        "/account?x=\\evil",
        "/accoünt",
        "/account/\u{ff0f}\u{ff0f}evil",
        "",
    ] {
        assert_eq!(check(bad), None, "{bad:?}");
    }
}

#[test]
fn refuses_over_long_values() {
    let long = alloc::format!("/account/{}", "a".repeat(600));
    assert_eq!(check(&long), None);
}

#[test]
fn an_empty_allowlist_allows_nothing() {
    assert_eq!(validate("/account", &[]), None);
}

proptest! {
    /// Whatever is accepted is a same-origin path under an allowed prefix: it starts
    /// with one `/` not followed by `/` or `\`, and carries no character that a
    /// browser would turn into another origin or another path.
    #[test]
    fn accepted_values_are_same_origin_paths_under_a_prefix(
        candidate in prop_oneof![
            "\\PC{0,40}",
            // Near misses: allowed prefixes followed by the characters that matter.
            "(/account|/example/|/|//|/\\\\)[a-z./\\\\%?#:@ \t-]{0,20}",
        ]
    ) {
        if let Some(value) = check(&candidate) {
            prop_assert_eq!(&value, &candidate);
            prop_assert!(value.starts_with('/'));
            prop_assert!(!value.starts_with("//"));
            prop_assert!(!value.contains(['\\', '%', '#', ' ', '\t', '\n', '\r']));
            prop_assert!(value.is_ascii());
            let path = value.split('?').next().unwrap_or_default();
            prop_assert!(path.split('/').all(|s| s != ".." && s != "."));
            prop_assert!(path == "/account" || path.starts_with("/account/") || path.starts_with("/example/"));
        }
    }

    /// Any accepted path becomes refused once something is put in front that would
    /// send the browser elsewhere.
    #[test]
    fn nothing_in_front_of_an_accepted_path_is_accepted(
        tail in "[a-z0-9/_-]{0,20}",
        front in prop::sample::select(&[
            "//evil.example", "https://evil.example", "/\\evil.example", "\\\\evil.example",
            "javascript:", " ", "%2F", "/%2F", "http:", "//",
        ][..]),
    ) {
        let path = alloc::format!("/example/{tail}");
        let joined = alloc::format!("{front}{path}");
        prop_assert_eq!(check(&joined), None);
    }

    /// Percent-encoding any character of an accepted value makes it refused (no
    /// second decoding can happen later).
    #[test]
    fn encoded_forms_are_refused(tail in "[a-z0-9/]{1,20}", at in 0usize..30) {
        let path = alloc::format!("/example/{tail}");
        prop_assume!(check(&path).is_some());
        let index = at % path.len();
        let byte = path.as_bytes()[index];
        let encoded = alloc::format!("{}%{:02X}{}", &path[..index], byte, &path[index + 1..]);
        prop_assert_eq!(check(&encoded), None);
    }
}
