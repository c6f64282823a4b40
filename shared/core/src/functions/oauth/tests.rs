use super::*;
use crate::app::route::Handler;
use crate::app::Function;
use crate::policy::rbac::Permission;
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

#[test]
fn it_lists_exactly_the_api_routes_a_scope_can_open_with_their_permissions() {
    fn opened<F: Function>() -> alloc::vec::Vec<(crate::http::Method, &'static str, Permission)> {
        F::routes::<TestEnv>()
            .iter()
            .filter(|route| route.pattern.starts_with("/api/"))
            .filter_map(|route| Some((route.method, route.pattern, route.permission()?)))
            .filter(|(_, _, permission)| crate::policy::oauth_provider::scope::opens(*permission))
            .collect()
    }
    let api = opened::<crate::functions::Api>();
    assert_eq!(api.len(), 8, "GET /api/me and the seven documents routes");
    assert_eq!(opened::<OAuth>(), api);
    // And nothing else of the api's: no route a scope cannot open is served here.
    let all_api_here = OAuth::routes::<TestEnv>()
        .iter()
        .filter(|route| route.pattern.starts_with("/api/"))
        .count();
    assert_eq!(all_api_here, api.len());
}

#[test]
fn the_api_passes_a_clients_token_on_to_oauth_only_for_routes_a_scope_can_open() {
    use crate::app::bears_client_token;
    use crate::functions::Api;
    let env = TestEnv::new();
    let user = crate::testkit::seed_user(&env, "fwd@example.com", true);
    let session = crate::testkit::sign_in(&env, &user.id, "fwd");
    let client = crate::policy::oauth_provider::tokens::issue_access(
        &env.config,
        &crate::env::fake::SeededRandom::new(3),
        crate::testkit::START_MS,
        crate::policy::oauth_provider::tokens::AccessGrant {
            user_id: &user.id,
            grant_id: "fedcba9876543210fedcba9876543210",
            client_id: "00112233445566778899aabbccddeeff",
            scopes: &[],
            audience: "https://auth.example.com/api",
            auth_time_secs: 0,
            ends_at_secs: crate::testkit::START_MS / 1000 + 3_600,
        },
    )
    .unwrap()
    .token;
    let bearer = |token: &str| alloc::format!("Bearer {token}");
    let forwards = |method, path, header: Option<&str>| {
        bears_client_token::<Api, TestEnv>(method, path, header)
    };
    assert!(forwards("GET", "/api/me", Some(&bearer(&client))));
    assert!(forwards(
        "DELETE",
        "/api/documents/abc",
        Some(&bearer(&client))
    ));
    // A route no scope opens stays with the api (which answers it as it would).
    assert!(!forwards("GET", "/api/me/export", Some(&bearer(&client))));
    assert!(!forwards("GET", "/api/admin/users", Some(&bearer(&client))));
    // A session's token, a cookie or no credential stay with the api.
    assert!(!forwards("GET", "/api/me", Some(&bearer(&session.access))));
    assert!(!forwards("GET", "/api/me", None));
    assert!(!forwards("GET", "/api/me", Some("Basic YTpi")));
}
