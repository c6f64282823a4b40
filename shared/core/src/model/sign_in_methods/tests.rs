use super::*;
use crate::testkit::{self, TestEnv};

#[test]
fn a_password_and_each_passkey_count_as_one_method() {
    let env = TestEnv::new();
    let mut user = testkit::seed_user(&env, "methods@example.com", true);
    assert_eq!(SignInMethods::of(&user, 0).count(), 1);
    assert_eq!(SignInMethods::of(&user, 2).count(), 3);
    user.password_hash = alloc::string::String::new();
    assert_eq!(SignInMethods::of(&user, 0).count(), 0);
    assert_eq!(
        SignInMethods::of(&user, 1),
        SignInMethods {
            password: false,
            passkeys: 1
        }
    );
    let counted = pollster::block_on(count(env.atomic_store(), &user, 0)).unwrap();
    assert_eq!(counted.count(), 0, "no passkey stored");
}
