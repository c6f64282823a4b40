use std::path::PathBuf;
use std::string::String;

use super::*;

/// The repository root (this crate is `shared/core`).
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What `path` should say: rewritten by `expected`. With `EDGEAUTH_WRITE_MANIFESTS`
/// set (`cargo xtask manifests`) the file is written; otherwise a difference fails.
fn check(path: &str, expected: impl Fn(&str) -> String) {
    let file = root().join(path);
    let text = std::fs::read_to_string(&file).unwrap();
    let want = expected(&text);
    if std::env::var_os("EDGEAUTH_WRITE_MANIFESTS").is_some() {
        if want != text {
            std::fs::write(&file, &want).unwrap();
            std::println!("wrote {path}");
        }
    } else {
        assert!(
            want == text,
            "{path} does not list the routes of the route tables: run `cargo xtask manifests`"
        );
    }
}

#[test]
fn every_manifest_lists_the_routes_of_the_route_tables() {
    for (name, path) in [
        ("api", "wrangler.toml"),
        ("login", "functions/login/wrangler.toml"),
        ("reset", "functions/reset/wrangler.toml"),
        ("refresh", "functions/refresh/wrangler.toml"),
        ("pages", "functions/pages/wrangler.toml"),
        ("oauth", "functions/oauth/wrangler.toml"),
    ] {
        let patterns = workers_patterns(&mounts(name));
        check(path, |text| wrangler(text, &patterns));
    }
    check("spin.toml", |text| {
        between_markers(text, &spin_body()).expect("spin.toml: route markers")
    });
    check("tools/local.mjs", |text| {
        between_markers(text, &local_body()).expect("tools/local.mjs: route markers")
    });
    check("tools/wrangler-dev/router.mjs", |text| {
        between_markers(text, &router_body()).expect("router.mjs: route markers")
    });
}

#[test]
fn mounts_follow_the_first_two_segments_and_namespaces() {
    let login = mounts("login");
    assert_eq!(
        spin_routes(&login),
        [
            "/auth/register",
            "/auth/login",
            "/auth/login/...",
            "/auth/passkey/...",
            "/auth/oauth/..."
        ],
        "login's forwarded /api/ routes are the api's namespace"
    );
    assert_eq!(
        workers_patterns(&login),
        [
            "/auth/register*",
            "/auth/login*",
            "/auth/passkey/*",
            "/auth/oauth/*"
        ]
    );
    assert_eq!(
        workers_patterns(&mounts("refresh")),
        [
            "/auth/session*",
            "/auth/introspect*",
            "/.well-known/jwks.json*"
        ],
        "/auth/sessions* is covered by /auth/session*"
    );
    assert_eq!(
        workers_patterns(&mounts("reset")),
        ["/auth/password/*", "/auth/email/*", "/auth/security/*"]
    );
    assert_eq!(workers_patterns(&mounts("api")), ["/api/*"]);
}

#[test]
fn pages_mount_each_page_and_the_assets_subtree_once() {
    let pages = mounts("pages");
    assert_eq!(
        spin_routes(&pages),
        [
            "/sign-in",
            "/sign-up",
            "/verify-email",
            "/forgot-password",
            "/reset-password",
            "/security-alert",
            "/account",
            "/admin",
            "/consent",
            "/assets/...",
        ],
        "a parameter in the second segment mounts the first one's subtree; nested mounts fold"
    );
    assert_eq!(
        workers_patterns(&pages).last().map(String::as_str),
        Some("/assets/*")
    );
}

#[test]
fn no_two_functions_are_mounted_on_one_path() {
    let all: Vec<(String, &str)> = functions()
        .iter()
        .flat_map(|(name, _, _)| {
            spin_routes(&mounts(name))
                .into_iter()
                .map(move |route| (route, *name))
        })
        .collect();
    for (i, (route, name)) in all.iter().enumerate() {
        for (other, other_name) in all.iter().skip(i + 1) {
            assert!(route != other, "{route}: {name} and {other_name}");
        }
    }
}

#[test]
fn markers_delimit_the_generated_lines() {
    let text = alloc::format!("a\n# {BEGIN}\nold\n# {END}\nb\n");
    assert_eq!(
        between_markers(&text, "new\n").unwrap(),
        alloc::format!("a\n# {BEGIN}\nnew\n# {END}\nb\n")
    );
}

#[test]
fn the_provider_mounts_its_endpoints_and_well_known_documents() {
    let patterns = workers_patterns(&mounts("oauth"));
    for expected in [
        "/.well-known/openid-configuration*",
        "/.well-known/oauth-authorization-server*",
        "/.well-known/oauth-protected-resource*",
        "/oauth/authorize*",
        "/oauth/token*",
        "/oauth/requests/*",
        "/oauth/admin/*",
    ] {
        assert!(
            patterns.iter().any(|p| p == expected),
            "{expected}: {patterns:?}"
        );
    }
    // Nothing of the session functions' paths.
    assert!(patterns
        .iter()
        .all(|p| !p.starts_with("/auth") && !p.starts_with("/api")));
}
