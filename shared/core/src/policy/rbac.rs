//! Role-based access control: one table from roles to permissions, one decision
//! function (docs/contract.md §6).
//!
//! - [`Role`]: the three roles (`user`, `auditor`, `admin`). Every account has `user`.
//! - [`Permission`]: what a route needs. The `api` function's route table
//!   ([`crate::functions::api`]) names one per protected route and method.
//! - [`GRANTS`]: the one table. Roles are additive: a caller holds the union of the
//!   rows of the roles it has.
//! - [`authorize`]: the one decision.
//!
//! Object-level rules (who may read *this* document) are not here: they need the
//! object and live next to it ([`crate::policy::documents`]). Role permissions only
//! decide whether a caller may use a route at all.
//!
//! Security considerations:
//! - **Deny by default.** A role string this table does not know grants nothing
//!   (spelling is exact: `Admin` is not `admin`), an empty role list grants nothing,
//!   and a permission no row lists is granted to no one.
//! - The roles passed in are the roles stored *now* ([`crate::model::principal::Principal`]), never
//!   the token's `roles` claim, so a demotion applies to the next request.
//! - The table is data, so a review reads one list, and the property tests check the
//!   decision against it for arbitrary role lists.

use alloc::string::String;

/// The roles of docs/contract.md §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Every account: its own profile, documents, activity, data, MFA.
    User,
    /// `user`'s rights plus reading the whole audit log.
    Auditor,
    /// Administration: the access review, roles, disabling, sessions, any document.
    Admin,
}

impl Role {
    /// Every role, in privilege order.
    pub const ALL: [Role; 3] = [Role::User, Role::Auditor, Role::Admin];

    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Auditor => "auditor",
            Self::Admin => "admin",
        }
    }

    /// The role spelled exactly `name`, if there is one.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == name)
    }
}

/// What a route (or an object-level override) needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Permission {
    /// `GET /api/me`.
    ProfileRead,
    /// `GET /api/me/activity`: one's own audit events.
    ActivityRead,
    /// `GET /api/me/export`.
    DataExport,
    /// `DELETE /api/me`.
    AccountErase,
    /// `GET`/`PUT /api/me/consents`.
    ConsentsManage,
    /// `/api/me/mfa/…`: one's own second factor.
    MfaManage,
    /// `/api/me/passkeys…` and `/api/me/reauthenticate…`: one's own passkeys, and
    /// confirming who one is before changing them.
    CredentialsManage,
    /// `/api/me/identities…` and `POST /auth/oauth/{provider}/link`: one's own linked
    /// sign-in provider accounts.
    IdentitiesManage,
    /// `/api/documents…`: create documents and use those one owns or that are shared
    /// with one (the object-level check decides which).
    DocumentsUse,
    /// Read any document (an object-level override, `GET` only).
    DocumentsReadAny,
    /// `GET /api/admin/audit`: the whole audit log.
    AuditRead,
    /// `GET /api/admin/users`: the access review.
    UsersList,
    /// `PUT /api/admin/users/{id}/roles`.
    UsersSetRoles,
    /// `POST /api/admin/users/{id}/disable` and `/enable`.
    UsersDisable,
    /// `DELETE /api/admin/users/{id}/sessions`.
    UsersRevokeSessions,
    /// `POST /api/admin/data-keys/sweep`: re-encrypt stored data under the active key.
    DataKeysRotate,
    /// `POST /api/admin/sessions/revoke-all`: the kill switch, every user's sessions.
    SessionsRevokeAll,
    /// `/oauth/admin/clients…`: list, create, disable, enable and delete OAuth clients.
    OAuthClientsManage,
    /// `GET /api/admin/webhooks/deliveries` and `GET /api/admin/metrics`: monitoring.
    MonitoringRead,
    /// `POST /api/admin/webhooks/retry`: run the due webhook retries now.
    WebhooksRetry,
}

impl Permission {
    /// Every permission.
    pub const ALL: [Permission; 20] = [
        Permission::ProfileRead,
        Permission::ActivityRead,
        Permission::DataExport,
        Permission::AccountErase,
        Permission::ConsentsManage,
        Permission::MfaManage,
        Permission::CredentialsManage,
        Permission::IdentitiesManage,
        Permission::DocumentsUse,
        Permission::DocumentsReadAny,
        Permission::AuditRead,
        Permission::UsersList,
        Permission::UsersSetRoles,
        Permission::UsersDisable,
        Permission::UsersRevokeSessions,
        Permission::DataKeysRotate,
        Permission::SessionsRevokeAll,
        Permission::OAuthClientsManage,
        Permission::MonitoringRead,
        Permission::WebhooksRetry,
    ];

    /// A stable name (docs, logs, tests).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProfileRead => "profile:read",
            Self::ActivityRead => "activity:read",
            Self::DataExport => "data:export",
            Self::AccountErase => "account:erase",
            Self::ConsentsManage => "consents:manage",
            Self::MfaManage => "mfa:manage",
            Self::CredentialsManage => "credentials:manage",
            Self::IdentitiesManage => "identities:manage",
            Self::DocumentsUse => "documents:use",
            Self::DocumentsReadAny => "documents:read_any",
            Self::AuditRead => "audit:read",
            Self::UsersList => "users:list",
            Self::UsersSetRoles => "users:set_roles",
            Self::UsersDisable => "users:disable",
            Self::UsersRevokeSessions => "users:revoke_sessions",
            Self::DataKeysRotate => "data_keys:rotate",
            Self::SessionsRevokeAll => "sessions:revoke_all",
            Self::OAuthClientsManage => "oauth_clients:manage",
            Self::MonitoringRead => "monitoring:read",
            Self::WebhooksRetry => "webhooks:retry",
        }
    }
}

/// The one table: what each role grants. A caller holds the union over its roles.
pub const GRANTS: &[(Role, &[Permission])] = &[
    (
        Role::User,
        &[
            Permission::ProfileRead,
            Permission::ActivityRead,
            Permission::DataExport,
            Permission::AccountErase,
            Permission::ConsentsManage,
            Permission::MfaManage,
            Permission::CredentialsManage,
            Permission::IdentitiesManage,
            Permission::DocumentsUse,
        ],
    ),
    (Role::Auditor, &[Permission::AuditRead]),
    (
        Role::Admin,
        &[
            Permission::UsersList,
            Permission::UsersSetRoles,
            Permission::UsersDisable,
            Permission::UsersRevokeSessions,
            Permission::DocumentsReadAny,
            Permission::DataKeysRotate,
            Permission::SessionsRevokeAll,
            Permission::AuditRead,
            Permission::OAuthClientsManage,
            Permission::MonitoringRead,
            Permission::WebhooksRetry,
        ],
    ),
];

/// Whether `role` grants `permission` according to [`GRANTS`].
pub fn role_grants(role: Role, permission: Permission) -> bool {
    GRANTS
        .iter()
        .any(|(row, permissions)| *row == role && permissions.contains(&permission))
}

/// The decision: whether a caller holding `roles` (as stored) has `permission`.
/// Unknown role names grant nothing; no roles grant nothing.
pub fn authorize(roles: &[String], permission: Permission) -> bool {
    roles
        .iter()
        .filter_map(|name| Role::parse(name))
        .any(|role| role_grants(role, permission))
}

#[cfg(test)]
mod tests;
