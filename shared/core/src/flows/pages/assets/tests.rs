use super::*;
use std::path::{Path, PathBuf};
use std::string::ToString;
use std::vec::Vec;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, base, out);
        } else if !path.to_string_lossy().ends_with(".md") {
            out.push(
                path.strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .to_string(),
            );
        }
    }
}

/// Every file a page may load, from disk: `clients/pages/**` and the client's modules.
fn files_on_disk() -> Vec<String> {
    let mut files = Vec::new();
    walk(&root().join("clients/pages"), &root(), &mut files);
    files.push("clients/js/index.js".to_string());
    walk(&root().join("clients/js/src"), &root(), &mut files);
    files.sort();
    files
}

/// The file behind a URL path of the table.
fn source_of(path: &str) -> String {
    if let Some(rest) = path.strip_prefix("/assets/edgeauth/") {
        alloc::format!("clients/js/{rest}")
    } else if let Some(rest) = path.strip_prefix("/assets/pages/") {
        alloc::format!("clients/pages/{rest}")
    } else {
        alloc::format!("clients/pages/{}", path.trim_start_matches("/assets/"))
    }
}

#[test]
fn every_file_of_the_pages_and_the_client_is_served_and_nothing_else() {
    let mut served: Vec<String> = ASSETS.iter().map(|asset| source_of(asset.path)).collect();
    served.sort();
    assert_eq!(served, files_on_disk());
    for asset in ASSETS {
        let on_disk = std::fs::read(root().join(source_of(asset.path))).unwrap();
        assert_eq!(asset.body, on_disk.as_slice(), "{}", asset.path);
    }
}

#[test]
fn each_asset_has_the_content_type_of_its_extension() {
    for asset in ASSETS {
        let expected = match asset.path.rsplit('.').next() {
            Some("js") => "text/javascript; charset=utf-8",
            Some("css") => "text/css; charset=utf-8",
            Some("svg") => "image/svg+xml",
            other => panic!("unexpected extension {other:?}"),
        };
        assert_eq!(asset.content_type, expected, "{}", asset.path);
        assert!(!asset.body.is_empty(), "{}", asset.path);
    }
}

#[test]
fn find_matches_exact_paths_only() {
    assert!(find("/assets/pages.css").is_some());
    for miss in [
        "/assets/pages.css/",
        "/assets/../assets/pages.css",
        "/assets/PAGES.CSS",
        "/assets/pages.css%00",
        "/assets/edgeauth/src/../index.js",
        "/assets/",
    ] {
        assert!(find(miss).is_none(), "{miss}");
    }
}

#[test]
fn an_unchanged_copy_is_answered_304_without_a_body() {
    let asset = find("/assets/pages.css").unwrap();
    let fresh = respond(asset, None);
    assert_eq!(fresh.status, 200);
    let tag = fresh.header("ETag").unwrap().to_string();
    assert!(tag.starts_with('"') && tag.ends_with('"') && tag.len() == 18);
    assert_eq!(fresh.header("Cache-Control"), Some("no-cache"));
    for validator in [
        tag.clone(),
        alloc::format!("W/{tag}"),
        alloc::format!("\"x\", {tag}"),
        "*".to_string(),
    ] {
        let cached = respond(asset, Some(&validator));
        assert_eq!(cached.status, 304, "{validator}");
        assert!(cached.body.is_empty());
        assert_eq!(cached.header("ETag"), Some(tag.as_str()));
    }
    assert_eq!(respond(asset, Some("\"0000000000000000\"")).status, 200);
}

#[test]
fn etags_change_with_the_bytes() {
    assert_ne!(etag(b"a"), etag(b"b"));
    assert_eq!(etag(b""), "\"cbf29ce484222325\"");
}
