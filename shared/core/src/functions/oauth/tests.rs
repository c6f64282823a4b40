use super::*;
use crate::app::route::Handler;
use crate::testkit::TestEnv;

#[test]
fn form_bodies_only_on_the_endpoints_whose_rfcs_say_so_and_none_authenticates_by_cookie() {
    let table: &[Route<TestEnv>] = OAuth::routes::<TestEnv>();
    let forms: alloc::vec::Vec<&str> = table
        .iter()
        .filter(|route| route.form_body)
        .map(|route| route.pattern)
        .collect();
    assert_eq!(
        forms,
        [
            "/oauth/token",
            "/oauth/revoke",
            "/oauth/introspect",
            "/oauth/userinfo"
        ]
    );
    // A form can be posted cross-site: no form route may take the session cookie.
    for route in table.iter().filter(|route| route.form_body) {
        assert!(
            matches!(route.handler, Handler::Public(_)),
            "{}",
            route.pattern
        );
    }
}

#[test]
fn client_management_needs_the_admin_permission() {
    let table: &[Route<TestEnv>] = OAuth::routes::<TestEnv>();
    for route in table
        .iter()
        .filter(|route| route.pattern.starts_with("/oauth/admin/"))
    {
        assert_eq!(
            route.permission(),
            Some(OAuthClientsManage),
            "{}",
            route.pattern
        );
    }
    assert!(crate::policy::rbac::role_grants(
        crate::policy::rbac::Role::Admin,
        OAuthClientsManage
    ));
    assert!(!crate::policy::rbac::role_grants(
        crate::policy::rbac::Role::Auditor,
        OAuthClientsManage
    ));
    assert!(!crate::policy::rbac::role_grants(
        crate::policy::rbac::Role::User,
        OAuthClientsManage
    ));
}
