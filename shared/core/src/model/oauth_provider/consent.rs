//! Consent remembered per user and client: the scopes and resources a user approved
//! for a client, so the next authorization request within them needs no question.
//! Stored in the user's shard (`user/{user_id}`), name `oauth-consent/{client_id}`.
//!
//! Security considerations: a request that asks for anything beyond the remembered
//! scopes or resources asks again; revoking the consent (the account page, `DELETE
//! /oauth/consents/{client_id}`) removes this record and revokes the client's grants.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Internal};
use crate::model::user;
use crate::store::{AtomicKey, AtomicStore};

/// Prefix of consent record names within a user's shard.
pub const NAME_PREFIX: &str = "oauth-consent/";
const ATTEMPTS: usize = 6;

/// What a user granted a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// The client.
    pub client_id: String,
    /// Every scope granted so far.
    pub scopes: Vec<String>,
    /// Every resource granted so far.
    pub resources: Vec<String>,
    /// First granted, Unix ms.
    pub granted_at_ms: u64,
    /// Last extended, Unix ms.
    pub updated_at_ms: u64,
}

impl Consent {
    /// Whether this consent covers `scopes` and `resources`.
    pub fn covers(&self, scopes: &[String], resources: &[String]) -> bool {
        scopes.iter().all(|scope| self.scopes.contains(scope))
            && resources
                .iter()
                .all(|resource| self.resources.contains(resource))
    }
}

fn name(client_id: &str) -> String {
    alloc::format!("{NAME_PREFIX}{client_id}")
}

fn decode(raw: &str) -> Result<Consent, ApiError> {
    serde_json::from_str(raw).map_err(|_| ApiError::Internal(Internal("consent record corrupt")))
}

/// The user's consent for `client_id`, if any.
pub async fn load(
    atomic: &impl AtomicStore,
    user_id: &str,
    client_id: &str,
) -> Result<Option<(Consent, String)>, ApiError> {
    if !user::is_id(user_id) || !user::is_id(client_id) {
        return Ok(None);
    }
    let shard = user::shard(user_id);
    match atomic.get(AtomicKey::new(&shard, &name(client_id))).await? {
        Some(raw) => Ok(Some((decode(&raw)?, raw))),
        None => Ok(None),
    }
}

/// Adds `scopes` and `resources` to the user's consent for the client (creating it),
/// by compare-and-swap.
pub async fn extend(
    atomic: &impl AtomicStore,
    user_id: &str,
    client_id: &str,
    scopes: &[String],
    resources: &[String],
    now_ms: u64,
) -> Result<(), ApiError> {
    let shard = user::shard(user_id);
    let name = name(client_id);
    for _ in 0..ATTEMPTS {
        let stored = load(atomic, user_id, client_id).await?;
        let (mut consent, expected) = match stored {
            Some((consent, raw)) => (consent, Some(raw)),
            None => (
                Consent {
                    client_id: client_id.into(),
                    scopes: Vec::new(),
                    resources: Vec::new(),
                    granted_at_ms: now_ms,
                    updated_at_ms: now_ms,
                },
                None,
            ),
        };
        for scope in scopes {
            if !consent.scopes.contains(scope) {
                consent.scopes.push(scope.clone());
            }
        }
        for resource in resources {
            if !consent.resources.contains(resource) {
                consent.resources.push(resource.clone());
            }
        }
        consent.updated_at_ms = now_ms;
        let text = serde_json::to_string(&consent)
            .map_err(|_| ApiError::Internal(Internal("consent encoding")))?;
        if atomic
            .compare_and_swap(
                AtomicKey::new(&shard, &name),
                expected.as_deref(),
                Some(&text),
                None,
            )
            .await?
        {
            return Ok(());
        }
    }
    Err(ApiError::Unavailable(Internal("consent update contended")))
}

/// Forgets the user's consent for the client; `false` when there was none.
pub async fn remove(
    atomic: &impl AtomicStore,
    user_id: &str,
    client_id: &str,
) -> Result<bool, ApiError> {
    let shard = user::shard(user_id);
    for _ in 0..ATTEMPTS {
        let Some((_, raw)) = load(atomic, user_id, client_id).await? else {
            return Ok(false);
        };
        if atomic
            .compare_and_swap(
                AtomicKey::new(&shard, &name(client_id)),
                Some(&raw),
                None,
                None,
            )
            .await?
        {
            return Ok(true);
        }
    }
    Err(ApiError::Unavailable(Internal("consent removal contended")))
}

/// Every consent of the user.
pub async fn list(atomic: &impl AtomicStore, user_id: &str) -> Result<Vec<Consent>, ApiError> {
    if !user::is_id(user_id) {
        return Ok(Vec::new());
    }
    Ok(atomic
        .list(&user::shard(user_id), NAME_PREFIX)
        .await?
        .into_iter()
        .filter_map(|(_, raw)| decode(&raw).ok())
        .collect())
}
