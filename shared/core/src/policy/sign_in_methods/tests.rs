use super::*;
use crate::model::identity::LinkedIdentity;

fn link(provider: &str) -> LinkedIdentity {
    LinkedIdentity {
        provider: provider.into(),
        subject: "ct".into(),
        email: None,
        index: "k.i".into(),
        linked_at_ms: 0,
    }
}

#[test]
fn counts_the_password_and_each_linked_identity() {
    let env = crate::testkit::TestEnv::new();
    let mut user = crate::testkit::seed_user(&env, "a@example.com", true);
    assert_eq!(SignInMethods::of(&user).count(), 1);
    assert!(!may_remove_one(&user));
    user.identities.push(link("google"));
    assert_eq!(SignInMethods::of(&user).count(), 2);
    assert!(may_remove_one(&user));
    user.password_hash.clear();
    assert_eq!(
        SignInMethods::of(&user),
        SignInMethods {
            password: false,
            identities: 1
        }
    );
    assert!(!may_remove_one(&user));
    user.identities.push(link("github"));
    assert!(may_remove_one(&user));
}
