use super::*;
use crate::policy::oauth::discovery::TokenAuth;

fn metadata() -> Rc<Metadata> {
    Rc::new(Metadata {
        issuer: "https://idp.example.com".into(),
        authorization_endpoint: "https://idp.example.com/a".into(),
        token_endpoint: "https://idp.example.com/t".into(),
        jwks_uri: "https://idp.example.com/k".into(),
        token_auth: TokenAuth::Basic,
    })
}

#[test]
fn metadata_and_keys_are_kept_for_their_lifetimes_only() {
    let memory = OidcMemory::default();
    assert!(memory.metadata("acme", 0).is_none());
    memory.remember_metadata("acme", metadata(), 1_000);
    assert!(memory
        .metadata("acme", 1_000 + METADATA_TTL_MS - 1)
        .is_some());
    assert!(memory.metadata("acme", 1_000 + METADATA_TTL_MS).is_none());
    assert!(memory.metadata("other", 1_000).is_none());
    memory.remember_keys("acme", Vec::new(), 1_000);
    assert!(memory.keys("acme", 1_000 + KEYS_TTL_MS - 1).is_some());
    assert!(memory.keys("acme", 1_000 + KEYS_TTL_MS).is_none());
}

#[test]
fn an_unknown_key_id_refetches_at_most_once_per_interval() {
    let memory = OidcMemory::default();
    assert!(memory.may_refetch_keys("acme", 0));
    memory.remember_keys("acme", Vec::new(), 50_000);
    assert!(!memory.may_refetch_keys("acme", 50_000));
    assert!(!memory.may_refetch_keys("acme", 50_000 + REFETCH_INTERVAL_MS - 1));
    assert!(memory.may_refetch_keys("acme", 50_000 + REFETCH_INTERVAL_MS));
}

#[test]
fn remembers_at_most_capacity_providers() {
    let memory = OidcMemory::default();
    for i in 0..(CAPACITY + 5) {
        memory.remember_metadata(&alloc::format!("p{i}"), metadata(), 0);
    }
    assert!(memory.metadata("p0", 0).is_none());
    assert!(memory
        .metadata(&alloc::format!("p{}", CAPACITY + 4), 0)
        .is_some());
}
