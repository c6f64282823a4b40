use super::*;
use crate::model::identity::LinkedIdentity;
use crate::testkit::{self, TestEnv};

fn link(provider: &str) -> LinkedIdentity {
    LinkedIdentity {
        provider: provider.into(),
        subject: "ct".into(),
        email: None,
        index: "k.i".into(),
        linked_at_ms: 0,
        removing_since_ms: None,
    }
}

#[test]
fn a_password_each_passkey_and_each_linked_identity_count_as_one_method() {
    let env = TestEnv::new();
    let mut user = testkit::seed_user(&env, "methods@example.com", true);
    assert_eq!(SignInMethods::of(&user, 0, 0).count(), 1);
    assert_eq!(SignInMethods::of(&user, 2, 0).count(), 3);
    user.identities.push(link("google"));
    assert_eq!(SignInMethods::of(&user, 2, 0).count(), 4);
    user.password_hash = alloc::string::String::new();
    assert_eq!(
        SignInMethods::of(&user, 1, 0),
        SignInMethods {
            password: false,
            passkeys: 1,
            identities: 1,
        }
    );
    user.identities.clear();
    assert_eq!(SignInMethods::of(&user, 0, 0).count(), 0);
}

#[test]
fn a_linked_identity_an_unlink_has_marked_does_not_count_until_the_mark_is_old() {
    let env = TestEnv::new();
    let mut user = testkit::seed_user(&env, "marked@example.com", false);
    user.password_hash.clear();
    let mut marked = link("github");
    marked.removing_since_ms = Some(1_000);
    user.identities.push(link("google"));
    user.identities.push(marked);
    assert_eq!(SignInMethods::of(&user, 0, 1_000).identities, 1);
    assert_eq!(
        SignInMethods::of(&user, 0, 1_000 + passkey::REMOVAL_MARK_MS).identities,
        2
    );
}

#[test]
fn the_count_reads_the_stored_user_and_passkeys() {
    let env = TestEnv::new();
    let user = testkit::seed_user(&env, "stored@example.com", true);
    let counted = pollster::block_on(count(env.atomic_store(), &user.id, 0))
        .unwrap()
        .unwrap();
    assert_eq!(
        counted,
        SignInMethods {
            password: true,
            passkeys: 0,
            identities: 0,
        }
    );
    // A link written to the stored record counts, whatever copy the caller holds.
    testkit::edit_user(&env, &user.id, |stored| {
        stored.identities.push(link("acme"))
    });
    let counted = pollster::block_on(count(env.atomic_store(), &user.id, 0))
        .unwrap()
        .unwrap();
    assert_eq!(counted.identities, 1);
    assert_eq!(
        pollster::block_on(count(env.atomic_store(), "no-such-user", 0)).unwrap(),
        None
    );
}
