//! The route table and its gate: every route declares a permission, an unlisted
//! route is refused, and each role gets exactly what the table grants — through whole
//! requests.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::Api;
use crate::app::{Function, Route};
use crate::http::Method;
use crate::policy::rbac::Permission;
use crate::testkit::TestEnv;

use crate::testkit::api::{answer, code, Kit};

const ID: &str = "0123456789abcdef0123456789abcdef";

fn concrete(pattern: &str) -> String {
    pattern.replace("{id}", ID).replace("{user_id}", ID)
}

fn method(name: &str) -> Method {
    Method::parse(name)
}

fn table() -> &'static [Route<TestEnv>] {
    Api::routes::<TestEnv>()
}

/// The access policy of docs/contract.md §6, stated here a second time on purpose: a change to
/// the table must change this list too, in review.
#[test]
fn each_route_declares_exactly_its_permission() {
    use Permission::*;
    let expected: [(&str, &str, Option<Permission>); 38] = [
        ("GET", "/api/health", None),
        ("GET", "/api/me", Some(ProfileRead)),
        ("DELETE", "/api/me", Some(AccountErase)),
        ("GET", "/api/me/export", Some(DataExport)),
        ("GET", "/api/me/activity", Some(ActivityRead)),
        ("GET", "/api/me/consents", Some(ConsentsManage)),
        ("PUT", "/api/me/consents", Some(ConsentsManage)),
        ("POST", "/api/me/mfa/totp/setup", Some(MfaManage)),
        ("POST", "/api/me/mfa/totp/confirm", Some(MfaManage)),
        ("DELETE", "/api/me/mfa/totp", Some(MfaManage)),
        ("GET", "/api/me/passkeys", Some(CredentialsManage)),
        ("POST", "/api/me/passkeys", Some(CredentialsManage)),
        ("POST", "/api/me/passkeys/options", Some(CredentialsManage)),
        ("PUT", "/api/me/passkeys/{id}", Some(CredentialsManage)),
        ("DELETE", "/api/me/passkeys/{id}", Some(CredentialsManage)),
        ("POST", "/api/me/reauthenticate", Some(CredentialsManage)),
        (
            "POST",
            "/api/me/reauthenticate/options",
            Some(CredentialsManage),
        ),
        ("GET", "/api/me/identities", Some(IdentitiesManage)),
        (
            "DELETE",
            "/api/me/identities/{provider}",
            Some(IdentitiesManage),
        ),
        ("POST", "/api/admin/data-keys/sweep", Some(DataKeysRotate)),
        (
            "POST",
            "/api/admin/sessions/revoke-all",
            Some(SessionsRevokeAll),
        ),
        ("POST", "/api/admin/retention/sweep", Some(RetentionSweep)),
        ("GET", "/api/documents", Some(DocumentsUse)),
        ("POST", "/api/documents", Some(DocumentsUse)),
        ("GET", "/api/documents/{id}", Some(DocumentsUse)),
        ("PUT", "/api/documents/{id}", Some(DocumentsUse)),
        ("DELETE", "/api/documents/{id}", Some(DocumentsUse)),
        ("POST", "/api/documents/{id}/shares", Some(DocumentsUse)),
        (
            "DELETE",
            "/api/documents/{id}/shares/{user_id}",
            Some(DocumentsUse),
        ),
        ("GET", "/api/admin/users", Some(UsersList)),
        ("PUT", "/api/admin/users/{id}/roles", Some(UsersSetRoles)),
        ("POST", "/api/admin/users/{id}/disable", Some(UsersDisable)),
        ("POST", "/api/admin/users/{id}/enable", Some(UsersDisable)),
        (
            "DELETE",
            "/api/admin/users/{id}/sessions",
            Some(UsersRevokeSessions),
        ),
        ("GET", "/api/admin/audit", Some(AuditRead)),
        (
            "GET",
            "/api/admin/webhooks/deliveries",
            Some(MonitoringRead),
        ),
        ("POST", "/api/admin/webhooks/retry", Some(WebhooksRetry)),
        ("GET", "/api/admin/metrics", Some(MonitoringRead)),
    ];
    let actual: Vec<(&str, &str, Option<Permission>)> = table()
        .iter()
        .map(|route| (route.method.as_str(), route.pattern, route.permission()))
        .collect();
    assert_eq!(actual, expected);
}

#[test]
fn only_health_is_public_and_every_api_route_is_under_the_namespace() {
    let public: Vec<&str> = table()
        .iter()
        .filter(|route| route.permission().is_none())
        .map(|route| route.pattern)
        .collect();
    assert_eq!(public, ["/api/health"]);
    let namespace = Api::NAMESPACE.unwrap();
    assert!(table()
        .iter()
        .all(|route| route.pattern.starts_with(namespace)));
}

#[test]
fn an_unlisted_path_or_method_is_refused_even_for_an_admin() {
    let kit = Kit::new();
    let admin = kit.user("root@example.com", &["admin", "auditor"]);
    for client in [None, Some(&admin)] {
        let outcome = kit.call(client, Method::Get, "/api/undeclared", None);
        assert_eq!(outcome.response.status, 404);
        let outcome = kit.call(client, Method::Post, "/api/admin/users", None);
        assert_eq!(outcome.response.status, 405);
        assert_eq!(outcome.response.header("allow"), Some("GET, HEAD, OPTIONS"));
        assert!(outcome.audit.is_empty());
    }
    let head = kit.call(Some(&admin), Method::Head, "/api/admin/users", None);
    assert_eq!(head.response.status, 200, "HEAD is decided as GET");
}

#[test]
fn every_protected_route_answers_401_without_credentials() {
    let kit = Kit::new();
    for route in table() {
        let (pattern, name) = (route.pattern, route.method.as_str());
        if route.permission().is_none() {
            continue;
        }
        let outcome = kit.call(None, method(name), &concrete(pattern), None);
        assert_eq!(outcome.response.status, 401, "{name} {pattern}");
        assert_eq!(code(&outcome), "unauthenticated", "{name} {pattern}");
    }
}

/// Status per role on every `/api/admin` route (bodies valid for the route, so a
/// permitted caller reaches the handler).
fn admin_statuses(kit: &Kit, client: &crate::testkit::Client, target: &str) -> Vec<(String, u16)> {
    let routes: [(&str, String, Option<serde_json::Value>); 10] = [
        ("GET", "/api/admin/users".into(), None),
        (
            "PUT",
            alloc::format!("/api/admin/users/{target}/roles"),
            Some(serde_json::json!({"roles": ["user", "auditor"]})),
        ),
        (
            "POST",
            alloc::format!("/api/admin/users/{target}/disable"),
            None,
        ),
        (
            "POST",
            alloc::format!("/api/admin/users/{target}/enable"),
            None,
        ),
        (
            "DELETE",
            alloc::format!("/api/admin/users/{target}/sessions"),
            None,
        ),
        ("GET", "/api/admin/audit".into(), None),
        (
            "POST",
            "/api/admin/data-keys/sweep".into(),
            Some(serde_json::json!({})),
        ),
        ("GET", "/api/admin/webhooks/deliveries".into(), None),
        ("POST", "/api/admin/webhooks/retry".into(), None),
        ("GET", "/api/admin/metrics".into(), None),
    ];
    routes
        .into_iter()
        .map(|(name, path, body)| {
            let outcome = kit.call(Some(client), method(name), &path, body);
            (alloc::format!("{name} {path}"), outcome.response.status)
        })
        .collect()
}

#[test]
fn each_role_gets_exactly_its_admin_routes() {
    let kit = Kit::new();
    let user = kit.user("user@example.com", &[]);
    let auditor = kit.user("auditor@example.com", &["auditor"]);
    let admin = kit.user("admin@example.com", &["admin"]);
    let target = kit.user("target@example.com", &[]);

    let statuses = |client| -> Vec<u16> {
        admin_statuses(&kit, client, &target.user_id)
            .into_iter()
            .map(|(_, status)| status)
            .collect()
    };
    assert_eq!(statuses(&user), [403; 10]);
    assert_eq!(
        statuses(&auditor),
        [403, 403, 403, 403, 403, 200, 403, 403, 403, 403]
    );
    let admin_statuses = statuses(&admin);
    assert_eq!(&admin_statuses[..6], [200, 200, 204, 204, 204, 200]);
    assert_ne!(
        admin_statuses[6], 403,
        "the data-key sweep is an admin route"
    );
    assert_eq!(&admin_statuses[7..], [200, 202, 200]);
}

#[test]
fn a_forbidden_request_changes_nothing_and_is_the_standard_problem() {
    let kit = Kit::new();
    let user = kit.user("user@example.com", &[]);
    let victim = kit.user("victim@example.com", &[]);
    let outcome = kit.call(
        Some(&user),
        Method::Post,
        &alloc::format!("/api/admin/users/{}/disable", victim.user_id),
        None,
    );
    assert_eq!(code(&outcome), "forbidden");
    assert!(outcome.audit.is_empty());
    let me = kit.get(&victim, "/api/me");
    assert_eq!(answer(&me).0, 200, "the victim is untouched");
}

#[test]
fn roles_are_read_from_the_store_on_every_request_in_strict_mode() {
    let kit = Kit::with(&[("SESSION_CHECK", "strict")]);
    let admin = kit.user("admin@example.com", &["admin"]);
    assert_eq!(answer(&kit.get(&admin, "/api/admin/users")).0, 200);
    crate::testkit::edit_user(&kit.env, &admin.user_id, |user| {
        user.roles = alloc::vec!["user".to_string()];
    });
    assert_eq!(code(&kit.get(&admin, "/api/admin/users")), "forbidden");
}

#[test]
fn a_removed_role_stops_reads_within_the_bound_and_writes_at_once_in_cached_mode() {
    let kit = Kit::new();
    let admin = kit.user("admin@example.com", &["admin"]);
    let target = kit.user("target@example.com", &[]);
    let demote = |client: &crate::testkit::Client| {
        crate::testkit::edit_user(&kit.env, &client.user_id, |user| {
            user.roles = alloc::vec!["user".to_string()];
        });
    };
    // (Each call of the kit moves the clock 1 ms on.)
    assert_eq!(answer(&kit.get(&admin, "/api/admin/users")).0, 200);
    demote(&admin);
    // A read within the bound may still use this isolate's check of a moment ago;
    // none once the bound has passed since the check.
    kit.env
        .clock
        .advance(crate::memory::REVOCATION_BOUND_MS - 2);
    assert_eq!(answer(&kit.get(&admin, "/api/admin/users")).0, 200);
    assert_eq!(code(&kit.get(&admin, "/api/admin/users")), "forbidden");

    // A write never uses it.
    let second = kit.user("second@example.com", &["admin"]);
    assert_eq!(answer(&kit.get(&second, "/api/admin/users")).0, 200);
    demote(&second);
    let write = kit.call(
        Some(&second),
        Method::Post,
        &alloc::format!("/api/admin/users/{}/disable", target.user_id),
        None,
    );
    assert_eq!(code(&write), "forbidden");
}

/// The Workers `api` forwards its password routes ([`Route::verifies_password`]) and
/// its passkey routes (`served_by("login")`, [`Route::served_by`]) to the `login`
/// function; what `login` answers there must be what `api` answers: same permissions,
/// gate and handlers.
#[cfg(all(feature = "password-policy", feature = "passkeys"))]
mod password_routes_in_login {
    use super::*;
    use crate::functions::Login;
    use crate::testkit::api::{Kit, PASSWORD};
    use crate::testkit::{request, RequestExt};

    fn as_login(
        kit: &Kit,
        client: Option<&crate::testkit::Client>,
        method: Method,
        path: &str,
        body: serde_json::Value,
    ) -> crate::app::Outcome {
        let mut req = request(method, path).json(body);
        if let Some(client) = client {
            req = client.authorize(req);
        }
        kit.env.serve::<Login>(&req)
    }

    fn forwarded(method: &str, path: &str) -> bool {
        crate::app::verifies_password::<Api, TestEnv>(method, path)
            || crate::app::served_by::<Api, TestEnv>(method, path) == Some("login")
    }

    #[test]
    fn login_lists_exactly_the_api_routes_it_serves_for_the_workers_api() {
        let describe = |route: &Route<TestEnv>| {
            (
                route.method,
                route.pattern,
                route.permission(),
                route.verifies_password,
                route.served_by,
            )
        };
        let in_api: Vec<_> = table()
            .iter()
            .filter(|route| route.verifies_password || route.served_by == Some("login"))
            .map(describe)
            .collect();
        let in_login: Vec<_> = Login::routes::<TestEnv>()
            .iter()
            .filter(|route| route.pattern.starts_with("/api/"))
            .map(describe)
            .collect();
        assert_eq!(in_login, in_api);
        assert_eq!(in_api.len(), 12);
    }

    #[test]
    fn are_exactly_the_password_passkey_identity_and_export_routes() {
        assert!(forwarded("DELETE", "/api/me"));
        assert!(forwarded("DELETE", "/api/me/mfa/totp"));
        let passkey = "/api/me/passkeys/0123456789abcdef0123456789abcdef";
        assert!(forwarded("POST", "/api/me/passkeys"));
        assert!(forwarded("GET", "/api/me/passkeys"));
        assert!(forwarded("POST", "/api/me/passkeys/options"));
        assert!(forwarded("PUT", passkey));
        assert!(forwarded("DELETE", passkey));
        assert!(forwarded("POST", "/api/me/reauthenticate"));
        assert!(forwarded("POST", "/api/me/reauthenticate/options"));
        assert!(!forwarded("POST", "/api/me/passkeys/x/y"));
        // The identity routes go to login too, as routes it serves (not password routes).
        let served = |method, path| crate::app::served_by::<Api, TestEnv>(method, path);
        assert_eq!(served("GET", "/api/me/identities"), Some("login"));
        assert_eq!(served("DELETE", "/api/me/identities/google"), Some("login"));
        assert!(forwarded("GET", "/api/me/identities"));
        // The export too: it reads the passkeys and the linked identities.
        assert_eq!(served("GET", "/api/me/export"), Some("login"));
        assert!(!forwarded("GET", "/api/me"));
        assert!(!forwarded("DELETE", "/api/me/"));
        assert!(!forwarded("delete", "/api/me"));
        assert!(!forwarded("DELETE", "/api/documents/x"));
    }

    #[test]
    fn login_serves_them_with_the_api_gate_and_handlers() {
        let kit = Kit::new();
        let alice = kit.user_with_password("alice@example.com", &[]);
        let path = "/api/me";
        let anonymous = as_login(
            &kit,
            None,
            Method::Delete,
            path,
            serde_json::json!({"password": PASSWORD}),
        );
        assert_eq!(answer(&anonymous).1["code"], "unauthenticated");
        let wrong = as_login(
            &kit,
            Some(&alice),
            Method::Delete,
            path,
            serde_json::json!({"password": "nope"}),
        );
        assert_eq!(code(&wrong), "invalid_credentials");
        let extra = as_login(
            &kit,
            Some(&alice),
            Method::Delete,
            path,
            serde_json::json!({"password": PASSWORD, "x": 1}),
        );
        assert_eq!(code(&extra), "invalid_request");
        assert_eq!(
            kit.get(&alice, "/api/me").response.status,
            200,
            "nothing happened"
        );
        let totp_off = as_login(
            &kit,
            Some(&alice),
            Method::Delete,
            "/api/me/mfa/totp",
            serde_json::json!({"password": PASSWORD}),
        );
        assert_ne!(totp_off.response.status, 404, "routed");
        assert_ne!(totp_off.response.status, 405, "routed");
        let erased = as_login(
            &kit,
            Some(&alice),
            Method::Delete,
            path,
            serde_json::json!({"password": PASSWORD}),
        );
        assert_eq!(erased.response.status, 204);
        assert_eq!(erased.audit[0].event.as_str(), "account_deleted");
        assert_eq!(code(&kit.get(&alice, "/api/me")), "unauthenticated");
        // Only the forwarded method: GET /api/me is not the login function's.
        let get = kit.env.serve::<Login>(&request(Method::Get, path));
        assert_eq!(get.response.status, 405);
    }
}

/// docs/contract.md §2: `Vary: Origin` on every answer — a refused preflight and an
/// allowed preflight to a path nobody owns included (their answers depend on `Origin`).
#[test]
fn every_preflight_answer_varies_on_origin() {
    use crate::testkit::{request, RequestExt, ALLOWED};
    let env = TestEnv::new();
    let cases = [
        ("https://evil.example", "/api/health", 403),
        ("https://evil.example", "/nowhere", 403),
        (ALLOWED, "/nowhere", 404),
        (ALLOWED, "/api/health", 204),
    ];
    for (origin, path, status) in cases {
        let preflight = request(Method::Options, path)
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET");
        let response = env.serve::<Api>(&preflight).response;
        assert_eq!(response.status, status, "{origin} {path}");
        let varies: Vec<&str> = response
            .headers
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case("vary"))
            .map(|(_, value)| value.as_str())
            .filter(|value| value.eq_ignore_ascii_case("origin"))
            .collect();
        assert_eq!(varies, ["Origin"], "{origin} {path}");
    }
}

mod monitoring_routes_in_refresh {
    use super::*;
    use crate::functions::Refresh;

    #[test]
    fn refresh_lists_exactly_the_routes_api_says_it_serves() {
        let describe = |route: &Route<TestEnv>| {
            (
                route.method,
                route.pattern,
                route.permission(),
                route.served_by,
            )
        };
        let in_api: Vec<_> = table()
            .iter()
            .filter(|route| route.served_by == Some("refresh"))
            .map(describe)
            .collect();
        let in_refresh: Vec<_> = Refresh::routes::<TestEnv>()
            .iter()
            .filter(|route| route.pattern.starts_with("/api/"))
            .map(describe)
            .collect();
        assert_eq!(in_refresh, in_api);
        assert_eq!(in_api.len(), 3);
        let served = |method, path| crate::app::served_by::<Api, TestEnv>(method, path);
        assert_eq!(served("GET", "/api/admin/metrics"), Some("refresh"));
        assert_eq!(served("POST", "/api/admin/webhooks/retry"), Some("refresh"));
        assert_eq!(served("GET", "/api/admin/audit"), None);
        assert_eq!(served("POST", "/api/admin/metrics"), None);
    }

    #[test]
    fn refresh_serves_them_behind_the_same_gate() {
        let kit = crate::testkit::api::Kit::new();
        let user = kit.user("user@example.com", &[]);
        let admin = kit.user("admin@example.com", &["admin"]);
        for (client, status) in [(&user, 403), (&admin, 200)] {
            let outcome = kit.env.serve::<Refresh>(
                &client.authorize(crate::testkit::request(Method::Get, "/api/admin/metrics")),
            );
            assert_eq!(outcome.response.status, status);
        }
        let anonymous = kit
            .env
            .serve::<Refresh>(&crate::testkit::request(Method::Get, "/api/admin/metrics"));
        assert_eq!(anonymous.response.status, 401);
    }
}
