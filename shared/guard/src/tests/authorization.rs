//! Roles and permissions: the stored roles, edgeauth's table.

use super::*;
use crate::REVOCATION_BOUND_MS;

fn set_roles(fixture: &Fixture, roles: &[&str]) {
    fixture
        .edgeauth
        .sessions
        .borrow_mut()
        .get_mut(SESSION)
        .unwrap()
        .roles = roles.iter().map(|r| r.to_string()).collect();
}

#[test]
fn a_caller_without_the_role_or_permission_is_forbidden() {
    let fixture = Fixture::new();
    let principal = fixture
        .check(&bearer(Method::Get, &fixture.token()))
        .unwrap();
    assert_eq!(principal.require_role("admin"), Err(ApiError::Forbidden));
    assert_eq!(
        principal.require(Permission::UsersList),
        Err(ApiError::Forbidden)
    );
    assert_eq!(
        principal.require(Permission::AuditRead),
        Err(ApiError::Forbidden)
    );
    assert!(principal.require(Permission::DocumentsUse).is_ok());
    assert!(principal.require_role("user").is_ok());
}

#[test]
fn roles_are_edgeauths_stored_ones_not_the_tokens() {
    let fixture = Fixture::new();
    // The token says ["user"]; edgeauth has the user as an admin now.
    set_roles(&fixture, &["user", "admin"]);
    let principal = fixture
        .check(&bearer(Method::Get, &fixture.token()))
        .unwrap();
    assert!(principal.require_role("admin").is_ok());
    assert!(principal.require(Permission::UsersList).is_ok());
    // Demoted: within the bound for reads, at once for writes.
    set_roles(&fixture, &["user"]);
    let write = fixture
        .check(&bearer(Method::Post, &fixture.token()))
        .unwrap();
    assert_eq!(write.require_role("admin"), Err(ApiError::Forbidden));
    fixture.clock.advance(REVOCATION_BOUND_MS);
    let read = fixture
        .check(&bearer(Method::Get, &fixture.token()))
        .unwrap();
    assert_eq!(
        read.require(Permission::UsersList),
        Err(ApiError::Forbidden)
    );
}

#[test]
fn an_unknown_role_grants_no_permission_but_can_be_required_by_name() {
    let fixture = Fixture::new();
    set_roles(&fixture, &["user", "billing"]);
    let principal = fixture
        .check(&bearer(Method::Get, &fixture.token()))
        .unwrap();
    assert!(principal.require_role("billing").is_ok());
    assert_eq!(
        principal.require_role("Billing"),
        Err(ApiError::Forbidden),
        "exact spelling"
    );
    assert_eq!(
        principal.require(Permission::UsersList),
        Err(ApiError::Forbidden)
    );
}
