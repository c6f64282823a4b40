//! The `pages` function through the whole pipeline: headers, nonces, `return_to`,
//! assets, and what it refuses.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::Pages;
use crate::app::Function;
use crate::flows::pages::views::Page;
use crate::http::{Method, Response};
use crate::policy::security_headers::SECURITY_HEADERS;
use crate::testkit::{config, request, RequestExt, TestEnv};

fn get(env: &TestEnv, path: &str, query: &str) -> Response {
    let mut req = request(Method::Get, path);
    req.query = query.to_string();
    env.serve::<Pages>(&req).response
}

fn body(response: &Response) -> String {
    String::from_utf8(response.body.clone()).unwrap()
}

/// The nonce of a page's CSP.
fn nonce(response: &Response) -> String {
    let csp = response.header("Content-Security-Policy").unwrap();
    csp.split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn every_page_is_html_under_its_own_nonce_csp_with_the_other_security_headers() {
    let env = TestEnv::new();
    for page in Page::ALL {
        let response = get(&env, &alloc::format!("/{}", page.slug()), "");
        assert_eq!(response.status, 200, "{page:?}");
        assert_eq!(
            response.header("Content-Type"),
            Some("text/html; charset=utf-8")
        );
        let csp = response.header("Content-Security-Policy").unwrap();
        assert!(
            csp.starts_with("default-src 'none'; script-src 'nonce-"),
            "{csp}"
        );
        assert_eq!(
            response
                .headers
                .iter()
                .filter(|(name, _)| name.eq_ignore_ascii_case("content-security-policy"))
                .count(),
            1,
            "the layer keeps the route's CSP and adds no second one"
        );
        for (name, value) in SECURITY_HEADERS {
            if *name != "Content-Security-Policy" {
                assert_eq!(response.header(name), Some(*value), "{page:?}: {name}");
            }
        }
        assert_eq!(response.header("Cache-Control"), Some("no-store"));
        assert!(response.header("Strict-Transport-Security").is_some());
        let html = body(&response);
        let nonce = nonce(&response);
        assert!(html.contains(&alloc::format!("<script type=\"module\" nonce=\"{nonce}\"")));
        assert!(html.contains(&alloc::format!("<style nonce=\"{nonce}\">")));
    }
}

#[test]
fn each_response_gets_a_fresh_unpredictable_nonce() {
    let env = TestEnv::new();
    let nonces: Vec<String> = (0..50).map(|_| nonce(&get(&env, "/sign-in", ""))).collect();
    for (i, a) in nonces.iter().enumerate() {
        assert_eq!(a.len(), 22, "128 bits, base64url");
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        for b in nonces.iter().skip(i + 1) {
            assert_ne!(a, b);
        }
    }
}

#[test]
fn return_to_reaches_the_page_only_when_allowed() {
    let env = TestEnv::with_config(config(&[("RETURN_TO_PATHS", "/account,/example/")]));
    let allowed = body(&get(
        &env,
        "/sign-in",
        "return_to=%2Fexample%2Fdashboard%3Fx%3D1",
    ));
    assert!(allowed.contains("data-return-to=\"/example/dashboard?x=1\""));
    for attack in [
        "return_to=https%3A%2F%2Fevil.example",
        "return_to=%2F%2Fevil.example",
        "return_to=%2F%5Cevil.example",
        "return_to=%2Fexample%2F..%2F..%2Fevil",
        "return_to=%252F%252Fevil.example",
        "return_to=javascript%3Aalert(1)",
        "return_to=%2Fadmin",
    ] {
        let html = body(&get(&env, "/sign-in", attack));
        assert!(html.contains("data-return-to=\"\""), "{attack}");
        assert!(!html.contains("evil"), "{attack}");
    }
}

#[test]
fn the_configured_product_name_and_colour_are_rendered_escaped() {
    let env = TestEnv::with_config(config(&[
        ("PRODUCT_NAME", "</title><script>alert(1)</script>"),
        ("BRAND_COLOR", "#0A0"),
    ]));
    let html = body(&get(&env, "/account", ""));
    assert!(html.contains(
        "<title>Account security · &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>"
    ));
    assert!(html.contains("--brand:#00aa00;--on-brand:#000000"));
    assert_eq!(html.matches("<script").count(), 1);
}

#[test]
fn assets_are_served_with_type_etag_and_nosniff() {
    let env = TestEnv::new();
    for (path, content_type) in [
        ("/assets/pages.css", "text/css; charset=utf-8"),
        ("/assets/pages/sign-in.js", "text/javascript; charset=utf-8"),
        (
            "/assets/edgeauth/index.js",
            "text/javascript; charset=utf-8",
        ),
        (
            "/assets/edgeauth/src/client.js",
            "text/javascript; charset=utf-8",
        ),
        (
            "/assets/vendor/qrcode-generator.js",
            "text/javascript; charset=utf-8",
        ),
        ("/assets/icon.svg", "image/svg+xml"),
    ] {
        let response = get(&env, path, "");
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(
            response.header("Content-Type"),
            Some(content_type),
            "{path}"
        );
        assert_eq!(response.header("X-Content-Type-Options"), Some("nosniff"));
        assert_eq!(response.header("Cache-Control"), Some("no-cache"), "{path}");
        let tag = response.header("ETag").unwrap().to_string();
        let revalidated = env
            .serve::<Pages>(&request(Method::Get, path).header("If-None-Match", &tag))
            .response;
        assert_eq!(revalidated.status, 304, "{path}");
        assert!(revalidated.body.is_empty());
    }
}

#[test]
fn unknown_assets_and_traversal_get_404_and_writes_get_405() {
    let env = TestEnv::new();
    for path in [
        "/assets/nope.js",
        "/assets/../Cargo.toml",
        "/assets/edgeauth/src/%2e%2e/index.js",
        "/assets/a/b/c/d.js",
        "/sign-in/",
    ] {
        assert_eq!(get(&env, path, "").status, 404, "{path}");
    }
    for method in [Method::Post, Method::Put, Method::Delete] {
        let response = env
            .serve::<Pages>(&request(method, "/sign-in").json(serde_json::json!({})))
            .response;
        assert_eq!(response.status, 405);
        assert_eq!(response.header("Allow"), Some("GET, HEAD, OPTIONS"));
    }
}

#[test]
fn head_answers_the_headers_of_get_without_a_body() {
    let env = TestEnv::new();
    let response = env
        .serve::<Pages>(&request(Method::Head, "/sign-in"))
        .response;
    assert_eq!(response.status, 200);
    assert!(response.body.is_empty());
    assert!(response
        .header("Content-Security-Policy")
        .unwrap()
        .contains("'nonce-"));
}

#[test]
fn every_route_is_public_and_a_get() {
    for route in Pages::routes::<TestEnv>() {
        assert_eq!(route.method, Method::Get, "{}", route.pattern);
        assert_eq!(route.permission(), None, "{}", route.pattern);
    }
}

#[test]
fn the_link_of_security_notices_is_a_page() {
    // Notice mails link to `PUBLIC_ORIGIN` + this path (flows::notices).
    let path = crate::flows::notices::NOT_ME_PATH;
    assert_eq!(path, alloc::format!("/{}", Page::SecurityAlert.slug()));
    let env = TestEnv::new();
    let response = get(&env, path, "");
    assert_eq!(response.status, 200);
    assert!(body(&response).contains("src=\"/assets/pages/security-alert.js\""));
    let script = get(&env, "/assets/pages/security-alert.js", "");
    assert_eq!(script.status, 200);
    assert!(body(&script).contains("client.reportCompromise(token)"));
}
