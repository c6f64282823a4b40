use super::*;
use crate::testkit;

fn record(binding_value: &str, expires_at_ms: u64) -> PreAuth {
    PreAuth {
        provider: "acme".into(),
        intent: Intent::SignIn,
        verifier: "v".into(),
        nonce: "n".into(),
        binding: binding_of(binding_value),
        return_to: None,
        expires_at_ms,
    }
}

const STATE: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
const COOKIE: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8";

#[test]
fn a_state_is_taken_once_and_never_after_it_expires() {
    let env = testkit::TestEnv::new();
    let atomic = crate::ctx::Services::atomic(&env);
    pollster::block_on(async {
        let now = testkit::START_MS;
        let until = now + TTL_MS;
        store(atomic, STATE, &record(COOKIE, until)).await.unwrap();
        assert!(store(atomic, STATE, &record(COOKIE, until)).await.is_err());
        assert_eq!(
            take(atomic, STATE, now).await.unwrap(),
            Some(record(COOKIE, until))
        );
        assert_eq!(take(atomic, STATE, now).await.unwrap(), None);
        let other = "BAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
        store(atomic, other, &record(COOKIE, until)).await.unwrap();
        assert_eq!(take(atomic, other, until).await.unwrap(), None);
        // Malformed states never reach the store.
        assert_eq!(take(atomic, "short", 0).await.unwrap(), None);
        assert_eq!(take(atomic, "../../etc", 0).await.unwrap(), None);
    });
}

#[test]
fn only_the_browser_that_started_the_flow_binds_it() {
    let flow = record(COOKIE, 1_000);
    assert!(binds(&flow, Some(COOKIE)));
    assert!(!binds(&flow, None));
    assert!(!binds(&flow, Some("")));
    assert!(!binds(&flow, Some(STATE)));
    // The stored hash itself is not a cookie that binds.
    assert!(!binds(&flow, Some(&flow.binding)));
}
