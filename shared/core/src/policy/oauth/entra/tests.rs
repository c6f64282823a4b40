use super::*;

const TENANT_A: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const TENANT_B: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const TEMPLATE: &str = "https://login.microsoftonline.com/{tenantid}/v2.0";

fn issuer_of(tenant: &str) -> String {
    alloc::format!("https://login.microsoftonline.com/{tenant}/v2.0")
}

#[test]
fn multi_tenant_tokens_must_name_their_own_tenant_in_iss_and_tid() {
    for tenant in ["common", "organizations"] {
        assert!(token_issuer_matches(
            tenant,
            TEMPLATE,
            &issuer_of(TENANT_A),
            Some(TENANT_A)
        ));
        // A token whose iss names another tenant than its tid.
        assert!(!token_issuer_matches(
            tenant,
            TEMPLATE,
            &issuer_of(TENANT_A),
            Some(TENANT_B)
        ));
        // No tid, or one that is not a GUID, or an issuer left as the template.
        assert!(!token_issuer_matches(
            tenant,
            TEMPLATE,
            &issuer_of(TENANT_A),
            None
        ));
        assert!(!token_issuer_matches(
            tenant,
            TEMPLATE,
            &issuer_of("evil"),
            Some("evil")
        ));
        assert!(!token_issuer_matches(
            tenant,
            TEMPLATE,
            TEMPLATE,
            Some(TENANT_A)
        ));
        assert!(!token_issuer_matches(
            tenant,
            TEMPLATE,
            &alloc::format!("https://evil.example/{TENANT_A}/v2.0"),
            Some(TENANT_A)
        ));
    }
    // Personal accounts: allowed by `common`, refused by `organizations`.
    assert!(token_issuer_matches(
        "common",
        TEMPLATE,
        &issuer_of(CONSUMERS_TENANT),
        Some(CONSUMERS_TENANT)
    ));
    assert!(!token_issuer_matches(
        "organizations",
        TEMPLATE,
        &issuer_of(CONSUMERS_TENANT),
        Some(CONSUMERS_TENANT)
    ));
}

#[test]
fn a_single_tenant_issuer_is_matched_exactly() {
    let issuer = issuer_of(TENANT_A);
    assert!(token_issuer_matches(
        TENANT_A,
        &issuer,
        &issuer,
        Some(TENANT_A)
    ));
    assert!(!token_issuer_matches(
        TENANT_A,
        &issuer,
        &issuer_of(TENANT_B),
        Some(TENANT_B)
    ));
    assert!(!token_issuer_matches(
        TENANT_A,
        &issuer,
        &issuer,
        Some(TENANT_B)
    ));
}

#[test]
fn discovery_documents_must_publish_the_issuer_their_tenant_implies() {
    assert!(discovered_issuer_allowed("common", TEMPLATE));
    assert!(discovered_issuer_allowed("organizations", TEMPLATE));
    assert!(!discovered_issuer_allowed("common", &issuer_of(TENANT_A)));
    assert!(discovered_issuer_allowed(
        "consumers",
        &issuer_of(CONSUMERS_TENANT)
    ));
    assert!(!discovered_issuer_allowed("consumers", TEMPLATE));
    assert!(discovered_issuer_allowed(TENANT_A, &issuer_of(TENANT_A)));
    assert!(!discovered_issuer_allowed(TENANT_A, &issuer_of(TENANT_B)));
    assert!(!discovered_issuer_allowed(TENANT_A, TEMPLATE));
    assert!(discovered_issuer_allowed(
        "contoso.onmicrosoft.com",
        &issuer_of(TENANT_B)
    ));
    assert!(!discovered_issuer_allowed(
        "contoso.onmicrosoft.com",
        TEMPLATE
    ));
    assert!(!discovered_issuer_allowed(
        "common",
        "https://login.microsoftonline.com.evil.example/{tenantid}/v2.0"
    ));
    assert!(!discovered_issuer_allowed(
        "common",
        "https://login.microsoftonline.com/{tenantid}/v2.0/"
    ));
}

#[test]
fn guids_are_canonical_lower_case() {
    assert!(is_guid(TENANT_A));
    assert!(!is_guid(&TENANT_A.to_uppercase()));
    assert!(!is_guid("72f988bf86f141af91ab2d7cd011db47"));
    assert!(!is_guid("{tenantid}"));
}
