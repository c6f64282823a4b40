//! The role table case by case, and the decision function by property.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use proptest::prelude::*;

use super::*;

fn roles(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| name.to_string()).collect()
}

#[test]
fn users_get_their_own_things_and_nothing_administrative() {
    let user = roles(&["user"]);
    for permission in [
        Permission::ProfileRead,
        Permission::ActivityRead,
        Permission::DataExport,
        Permission::AccountErase,
        Permission::ConsentsManage,
        Permission::MfaManage,
        Permission::CredentialsManage,
        Permission::IdentitiesManage,
        Permission::DocumentsUse,
    ] {
        assert!(authorize(&user, permission), "{permission:?}");
    }
    for permission in [
        Permission::AuditRead,
        Permission::UsersList,
        Permission::UsersSetRoles,
        Permission::UsersDisable,
        Permission::UsersRevokeSessions,
        Permission::DocumentsReadAny,
        Permission::DataKeysRotate,
        Permission::SessionsRevokeAll,
    ] {
        assert!(!authorize(&user, permission), "{permission:?}");
    }
}

#[test]
fn auditors_read_the_audit_log_and_administer_nothing() {
    let auditor = roles(&["user", "auditor"]);
    assert!(authorize(&auditor, Permission::AuditRead));
    assert!(authorize(&auditor, Permission::DocumentsUse));
    for permission in [
        Permission::UsersList,
        Permission::UsersSetRoles,
        Permission::UsersDisable,
        Permission::UsersRevokeSessions,
        Permission::DocumentsReadAny,
        Permission::DataKeysRotate,
        Permission::SessionsRevokeAll,
    ] {
        assert!(!authorize(&auditor, permission), "{permission:?}");
    }
}

#[test]
fn admins_administer_and_read_the_audit_log() {
    let admin = roles(&["user", "admin"]);
    for permission in Permission::ALL {
        assert!(authorize(&admin, permission), "{permission:?}");
    }
}

#[test]
fn unknown_misspelled_and_empty_roles_grant_nothing() {
    for names in [
        &[][..],
        &["Admin"][..],
        &["ADMIN", "root", "superuser"][..],
        &[" admin"][..],
        &["admin "][..],
        &["auditor\0"][..],
        &[""][..],
    ] {
        for permission in Permission::ALL {
            assert!(
                !authorize(&roles(names), permission),
                "{names:?} {permission:?}"
            );
        }
    }
}

#[test]
fn every_permission_is_granted_by_some_role_and_every_role_has_a_row() {
    for permission in Permission::ALL {
        assert!(
            Role::ALL
                .into_iter()
                .any(|role| role_grants(role, permission)),
            "{permission:?} is granted by no role"
        );
    }
    for role in Role::ALL {
        assert_eq!(
            GRANTS.iter().filter(|(row, _)| *row == role).count(),
            1,
            "{role:?}"
        );
    }
}

#[test]
fn names_round_trip_and_are_distinct() {
    for role in Role::ALL {
        assert_eq!(Role::parse(role.as_str()), Some(role));
    }
    let mut names: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Permission::ALL.len());
}

fn any_role_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("user".to_string()),
        Just("auditor".to_string()),
        Just("admin".to_string()),
        "[a-zA-Z_ ]{0,8}",
    ]
}

fn any_permission() -> impl Strategy<Value = Permission> {
    (0..Permission::ALL.len()).prop_map(|i| Permission::ALL[i])
}

proptest! {
    /// The decision is exactly "some known role in the list has a row granting it".
    #[test]
    fn decision_is_the_union_of_the_table_rows(
        names in proptest::collection::vec(any_role_name(), 0..6),
        permission in any_permission(),
    ) {
        let expected = names
            .iter()
            .filter_map(|name| Role::parse(name))
            .any(|role| GRANTS.iter().any(|(row, ps)| *row == role && ps.contains(&permission)));
        prop_assert_eq!(authorize(&names, permission), expected);
    }

    /// Adding a role never takes a permission away; removing one never adds one.
    #[test]
    fn more_roles_never_grant_less(
        names in proptest::collection::vec(any_role_name(), 0..5),
        extra in any_role_name(),
        permission in any_permission(),
    ) {
        let mut more = names.clone();
        more.push(extra);
        prop_assert!(!authorize(&names, permission) || authorize(&more, permission));
    }

    /// Strings that are not exactly a role name grant nothing, whatever they look like.
    #[test]
    fn arbitrary_strings_grant_nothing(name in "\\PC{0,12}", permission in any_permission()) {
        prop_assume!(Role::parse(&name).is_none());
        prop_assert!(!authorize(&[name], permission));
    }

    /// Administrative permissions need `admin`, whatever else the caller holds.
    #[test]
    fn administration_needs_admin(
        names in proptest::collection::vec(any_role_name(), 0..6),
    ) {
        let is_admin = names.iter().any(|name| name == "admin");
        for permission in [
            Permission::UsersList,
            Permission::UsersSetRoles,
            Permission::UsersDisable,
            Permission::UsersRevokeSessions,
            Permission::DocumentsReadAny,
            Permission::DataKeysRotate,
            Permission::SessionsRevokeAll,
        ] {
            prop_assert_eq!(authorize(&names, permission), is_admin);
        }
    }
}
