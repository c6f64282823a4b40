//! `BOOTSTRAP_ADMIN_EMAILS` applies once, at the address's first verification —
//! by its link or by the password reset that verifies it — and never again: an
//! admin's later decision about the account stands.

use alloc::string::String;
use serde_json::json;

use super::{account, events, forgot, reset, token_in, NEW_PASSWORD, PASSWORD};
use crate::ctx::Services;
use crate::functions::{Api, Login, Reset};
use crate::http::Method;
use crate::model::admins as registry;
use crate::model::audit::AuditKind;
use crate::testkit::{self, request, Client, RequestExt, TestEnv};

const ROOT: &str = "root@example.com";

fn env() -> TestEnv {
    TestEnv::with_config(testkit::config(&[("BOOTSTRAP_ADMIN_EMAILS", ROOT)]))
}

/// Another administrator, signed in, in the last-admin guard's set.
fn boss(env: &TestEnv) -> Client {
    let boss = testkit::seed_user(env, "boss@example.com", true);
    testkit::edit_user(env, &boss.id, |user| user.grant_role("admin"));
    pollster::block_on(registry::add(env.atomic(), env.records(), &boss.id)).unwrap();
    testkit::sign_in(env, &boss.id, "token")
}

fn set_roles(env: &TestEnv, admin: &Client, user_id: &str, roles: &[&str]) -> u16 {
    let path = alloc::format!("/api/admin/users/{user_id}/roles");
    env.serve::<Api>(&admin.authorize(request(Method::Put, &path).json(json!({ "roles": roles }))))
        .response
        .status
}

fn roles(env: &TestEnv, user_id: &str) -> alloc::vec::Vec<String> {
    testkit::stored_user(env, user_id).roles
}

fn members(env: &TestEnv) -> alloc::vec::Vec<String> {
    pollster::block_on(registry::members(env.atomic(), env.records())).unwrap()
}

#[test]
fn a_demoted_bootstrap_admin_stays_demoted_after_a_password_reset() {
    let env = env();
    let root = account(&env, ROOT, true);
    testkit::edit_user(&env, &root, |user| user.grant_role("admin"));
    let boss = boss(&env);
    assert_eq!(set_roles(&env, &boss, &root, &[]), 200);
    assert_eq!(roles(&env, &root), ["user"]);

    let done = reset(&env, &token_in(&forgot(&env, ROOT)), NEW_PASSWORD);
    assert_eq!(done.response.status, 200);
    assert_eq!(events(&done), [AuditKind::PasswordReset]);
    assert_eq!(roles(&env, &root), ["user"], "the admin's decision stands");
    assert!(!members(&env).contains(&root));
}

#[test]
fn a_reset_that_first_verifies_a_bootstrap_address_grants_admin_once_and_registers_it() {
    let env = env();
    let root = account(&env, ROOT, false);
    // Another admin first, so the last-admin guard's set exists before the reset.
    let boss = boss(&env);
    let done = reset(&env, &token_in(&forgot(&env, ROOT)), NEW_PASSWORD);
    assert_eq!(
        events(&done),
        [
            AuditKind::PasswordReset,
            AuditKind::EmailVerified,
            AuditKind::RoleChanged
        ]
    );
    assert_eq!(roles(&env, &root), ["user", "admin"]);
    assert!(
        members(&env).contains(&root),
        "in the last-admin guard's set"
    );
    // The set knows the new admin: the other admin may now step down.
    let boss_id = boss.user_id.clone();
    assert_eq!(set_roles(&env, &boss, &boss_id, &[]), 200);
    // And the reset that verified it was the one chance: a demotion stands.
    let root_session = testkit::sign_in(&env, &root, "token");
    testkit::edit_user(&env, &boss_id, |user| user.grant_role("admin"));
    pollster::block_on(registry::add(env.atomic(), env.records(), &boss_id)).unwrap();
    assert_eq!(set_roles(&env, &root_session, &root, &[]), 200);
    let again = reset(
        &env,
        &token_in(&forgot(&env, ROOT)),
        "yet another passphrase 77",
    );
    assert_eq!(again.response.status, 200);
    assert_eq!(roles(&env, &root), ["user"]);
}

#[test]
fn a_verification_link_redeemed_after_a_reset_verified_the_address_grants_nothing() {
    let env = env();
    let registered = env.serve::<Login>(
        &request(Method::Post, "/auth/register").json(json!({"email": ROOT, "password": PASSWORD})),
    );
    assert_eq!(registered.response.status, 202);
    let link = token_in(&registered);
    let root = crate::testkit::mfa::user_id_of(&env, ROOT).unwrap();
    // The reset verifies the address first, and with it applies bootstrap.
    let done = reset(&env, &token_in(&forgot(&env, ROOT)), NEW_PASSWORD);
    assert_eq!(done.response.status, 200);
    assert_eq!(roles(&env, &root), ["user", "admin"]);
    let boss = boss(&env);
    assert_eq!(set_roles(&env, &boss, &root, &[]), 200);
    // The registration's link, still within its 24 hours, is redeemed afterwards.
    let verified = env.serve::<Reset>(
        &request(Method::Post, "/auth/email/verify").json(json!({ "token": link })),
    );
    assert_eq!(verified.response.status, 200);
    assert!(!events(&verified).contains(&AuditKind::RoleChanged));
    assert_eq!(roles(&env, &root), ["user"]);
}
