use std::path::{Path, PathBuf};

use super::scan::{blank, cfg_is_test_only, read_crate};
use super::{check, Layers};

/// Writes `files` (path, text) under a fresh temporary directory.
fn tree(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-deps-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    dir
}

const LAYERS: Layers = &[("low", &["low"]), ("high", &["high"])];

fn report(dir: &Path) -> super::Report {
    check(&read_crate(&dir.join("lib.rs")).unwrap(), LAYERS, dir)
}

#[test]
fn blanks_comments_strings_and_chars_but_not_lifetimes() {
    let text = "a // crate::x\n/* crate::y */ \"crate::z\" 'c' '\\n' <'a> r#\"crate::w\"#";
    let blanked = blank(text);
    assert!(!blanked.contains("crate"));
    assert!(blanked.contains("<'a>"));
    assert_eq!(blanked.lines().count(), 2);
}

#[test]
fn test_only_cfgs_are_recognised() {
    assert!(cfg_is_test_only("test"));
    assert!(cfg_is_test_only("all(test, feature = \"x\")"));
    assert!(!cfg_is_test_only("any(test, feature = \"x\")"));
    assert!(!cfg_is_test_only("feature = \"test\""));
}

#[test]
fn a_downward_edge_passes() {
    let dir = tree(
        "down",
        &[
            ("lib.rs", "mod low;\nmod high;\n"),
            ("low.rs", "pub fn f() {}\n"),
            ("high.rs", "use crate::low::f;\n"),
        ],
    );
    let report = report(&dir);
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.edges.len(), 1);
}

#[test]
fn an_upward_edge_fails_and_is_located() {
    let dir = tree(
        "up",
        &[
            ("lib.rs", "mod low;\nmod high;\n"),
            ("low.rs", "fn g() { crate::high::f() }\n"),
            ("high.rs", "pub fn f() {}\n"),
        ],
    );
    let report = report(&dir);
    assert!(!report.ok());
    assert_eq!(report.upward.len(), 1);
    assert_eq!(report.upward[0].2, "low.rs:1");
}

#[test]
fn use_groups_and_root_reexports_count() {
    let dir = tree(
        "groups",
        &[
            ("lib.rs", "mod low;\nmod high;\npub use high::Thing;\n"),
            ("low.rs", "use crate::{Thing as T};\n"),
            ("high.rs", "pub struct Thing;\n"),
        ],
    );
    assert_eq!(report(&dir).upward.len(), 1);
}

#[test]
fn two_way_siblings_fail_even_within_one_layer() {
    let dir = tree(
        "siblings",
        &[
            ("lib.rs", "mod low;\nmod high;\n"),
            ("low.rs", "mod a;\nmod b;\n"),
            ("low/a.rs", "use super::b::X;\npub struct Y;\n"),
            ("low/b.rs", "use super::a::Y;\npub struct X;\n"),
            ("high.rs", ""),
        ],
    );
    let report = report(&dir);
    assert!(!report.ok());
    assert_eq!(
        report.two_way_siblings,
        vec![("low::a".to_string(), "low::b".to_string())]
    );
}

#[test]
fn test_code_may_reach_up_and_is_reported_apart() {
    let dir = tree(
        "tests",
        &[
            ("lib.rs", "mod low;\nmod high;\n"),
            (
                "low.rs",
                "pub fn f() {}\n#[cfg(test)]\nmod tests;\n#[cfg(test)]\nfn helper() -> [u8; 2] { crate::high::g(); [0; 2] }\n",
            ),
            ("low/tests.rs", "use crate::high::g;\n"),
            ("high.rs", "pub fn g() { crate::low::f() }\n"),
        ],
    );
    let report = report(&dir);
    assert!(report.ok(), "{report:?}");
    assert!(report.upward.is_empty());
    assert_eq!(report.test_edges.len(), 1);
    assert_eq!(report.two_way_with_tests.len(), 1);
}

#[test]
fn a_module_missing_from_the_layer_table_fails() {
    let dir = tree(
        "unplaced",
        &[
            ("lib.rs", "mod low;\nmod stray;\n"),
            ("low.rs", ""),
            ("stray.rs", ""),
        ],
    );
    assert!(!report(&dir).ok());
}

#[test]
fn the_core_and_the_primitives_keep_their_layers() {
    let (text, ok) = super::check_repository(&crate::repo_root(), false).unwrap();
    assert!(ok, "cargo xtask deps:\n{text}");
}
