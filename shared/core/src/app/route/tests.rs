use super::*;
use crate::functions::{Api, Login, Refresh, Reset};
use crate::testkit::TestEnv;
use crate::Function;

fn all_tables() -> [(&'static str, &'static [Route<TestEnv>]); 4] {
    [
        (Api::NAME, Api::routes::<TestEnv>()),
        (Login::NAME, Login::routes::<TestEnv>()),
        (Reset::NAME, Reset::routes::<TestEnv>()),
        (Refresh::NAME, Refresh::routes::<TestEnv>()),
    ]
}

#[test]
fn patterns_capture_one_non_empty_segment_per_parameter() {
    assert_eq!(match_pattern("/a/{id}", "/a/x"), Some(alloc::vec!["x"]));
    assert_eq!(match_pattern("/a/{id}", "/a/"), None);
    assert_eq!(match_pattern("/a/{id}", "/a/x/y"), None);
    assert_eq!(match_pattern("/a/b", "/a/b/"), None);
    assert_eq!(
        match_pattern("/a/{id}/b/{n}", "/a/1/b/2"),
        Some(alloc::vec!["1", "2"])
    );
}

#[test]
fn no_table_lists_a_method_twice_for_one_pattern_or_head_or_options() {
    for (name, table) in all_tables() {
        for (i, a) in table.iter().enumerate() {
            assert!(
                !matches!(a.method, Method::Head | Method::Options | Method::Other),
                "{name}: {a:?}"
            );
            for b in table.iter().skip(i + 1) {
                assert!(
                    !(a.pattern == b.pattern && a.method == b.method),
                    "{name}: {} {} twice",
                    a.method.as_str(),
                    a.pattern
                );
            }
        }
    }
}

#[test]
fn entries_of_one_pattern_are_together_in_the_table() {
    // `find` takes the first matching pattern and then every entry of it; a pattern
    // split in two places would still work, but reads as two routes.
    for (name, table) in all_tables() {
        let mut seen: alloc::vec::Vec<&str> = alloc::vec::Vec::new();
        for route in table {
            if seen.last() != Some(&route.pattern) {
                assert!(!seen.contains(&route.pattern), "{name}: {}", route.pattern);
                seen.push(route.pattern);
            }
        }
    }
}

#[test]
fn allow_lists_follow_the_table() {
    let (entries, params) = find(Api::routes::<TestEnv>(), "/api/documents/abc").unwrap();
    assert_eq!(params, ["abc"]);
    assert_eq!(
        allowed_methods(&entries),
        ["GET", "PUT", "DELETE", "HEAD", "OPTIONS"]
    );
    assert_eq!(
        method_set(&entries).allow(),
        ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]
    );
    assert!(find(Api::routes::<TestEnv>(), "/api/nothing").is_none());
}
