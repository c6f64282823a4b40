use super::*;

#[test]
fn the_page_policy_has_every_required_directive_and_nothing_unsafe() {
    let csp = for_page("abc_DEF-123");
    for directive in [
        "default-src 'none'",
        "script-src 'nonce-abc_DEF-123'",
        "style-src 'self' 'nonce-abc_DEF-123'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "require-trusted-types-for 'script'",
        "trusted-types 'none'",
    ] {
        assert!(
            csp.split("; ").any(|d| d == directive),
            "{directive} in {csp}"
        );
    }
    for unsafe_source in [
        "unsafe-inline",
        "unsafe-eval",
        "unsafe-hashes",
        "*",
        "http:",
        "https:",
        "data:",
    ] {
        assert!(!csp.contains(unsafe_source), "{unsafe_source} in {csp}");
    }
}
