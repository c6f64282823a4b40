//! The user record and where it lives.
//!
//! Users live in the [`AtomicStore`]: shard `user/{user_id}`, name `profile`. Strong
//! consistency is the point — a `disabled` flag or a removed role must apply to the
//! very next request, and every request re-reads the record ([`crate::flows::auth`]). The
//! user's sessions share the shard (`session/{id}`), so listing and revoking them
//! is one shard's work. The email index lives in its own shard `email/{index}`
//! (name `owner`, value the user id; the index is the keyed blind index of
//! [`super::email`]) and is claimed with `compare_and_swap(expected = None)`, so two
//! concurrent registrations of one address cannot both win. [`find_by_email`] reads
//! the index under every data key, so accounts are found during a key rotation.
//!
//! The **user directory** is a RecordStore listing (`users/{id}`, written at
//! registration): a Durable Object cannot enumerate its siblings, so whatever must
//! visit every account (the data-key rotation sweep, an access review) pages through
//! it ([`directory_page`]). It holds ids only. Eventual consistency is harmless
//! there: an account registered a moment ago was written under the current keys.
//!
//! The second factor's state is part of the record ([`UserRecord::mfa`]: the
//! encrypted TOTP secret, a pending setup, the last accepted time step and the
//! recovery-code hashes; see [`crate::flows::mfa`]), so a code is accepted and the
//! step recorded by one compare-and-swap on one record, and any flow that rewrites
//! the record (a password reset, say) keeps it as it is.
//!
//! The record also carries the user's **session epoch** ([`UserRecord::session_epoch`]):
//! every flow that ends all of a user's sessions moves it on in the same
//! compare-and-swap as its own change, and a session counts only under the epoch it
//! was created in ([`crate::policy::session_epoch`]). It lives here because every
//! authenticated request already reads this record with the session.
//!
//! Updates are read-modify-write with compare-and-swap ([`update`]): a concurrent
//! change makes the swap fail and the update is recomputed on the fresh record, so
//! no write is lost (a role change racing a login's `last_login_at` both land).
//!
//! Security considerations:
//! - Ids are 128-bit random, lower-case hex; the password is only ever held as the
//!   hash the password module produced.
//! - The record holds no plaintext address or TOTP secret: both are ciphertexts
//!   bound to the record (`user/{id}#…` associated data). Serialising a record (an
//!   export, say) must still pick fields: the password hash and the MFA state are
//!   not for a response ([`crate::flows::mfa::MfaStatus`] is what may be shown).
//! - Fields this build does not know (written by a newer deployment of another
//!   function, say MFA state) are kept through read-modify-write in [`UserRecord::other`]
//!   rather than silently dropped — functions deploy separately.

pub mod mfa;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use super::email::{self, StoredEmail};
use super::identity::LinkedIdentity;
use crate::config::Config;
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::store::{AtomicKey, AtomicStore, KeyPage, RecordStore};
use mfa::MfaState;

/// The role every user has.
pub const ROLE_USER: &str = "user";
/// May read the audit log.
pub const ROLE_AUDITOR: &str = "auditor";
/// Administrators.
pub const ROLE_ADMIN: &str = "admin";

/// How many devices and countries a user record remembers.
pub const KNOWN_DEVICES: usize = 10;

/// Remembers `item` as the most recent of `list` (at most [`KNOWN_DEVICES`]); whether
/// it was new to a list that already knew something (the first one is learned, not
/// news).
pub fn remember(list: &mut Vec<String>, item: &str) -> bool {
    let known = list.iter().any(|entry| entry == item);
    let news = !known && !list.is_empty();
    list.retain(|entry| entry != item);
    list.push(item.into());
    while list.len() > KNOWN_DEVICES {
        list.remove(0);
    }
    news
}

/// Name of the profile record inside a user's shard.
pub const PROFILE: &str = "profile";
/// How many times an update is recomputed after losing a race before giving up.
const UPDATE_ATTEMPTS: usize = 8;

/// One account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRecord {
    /// 128-bit random id, hex.
    pub id: String,
    /// The address, in its stored form (see [`super::email`]).
    pub email: StoredEmail,
    /// Whether the address was verified with a mailed token.
    #[serde(default)]
    pub email_verified: bool,
    /// The password hash (PHC string from the password module).
    pub password_hash: String,
    /// Roles, `user` first.
    pub roles: Vec<String>,
    /// Disabled accounts cannot log in, refresh, or use a token.
    #[serde(default)]
    pub disabled: bool,
    /// Whether TOTP is active (kept equal to `mfa.totp_secret.is_some()`; login
    /// asks for a second factor when either says so).
    #[serde(default)]
    pub mfa_enabled: bool,
    /// Second-factor state: ciphertexts and hashes only ([`crate::flows::mfa`]).
    #[serde(default, skip_serializing_if = "MfaState::is_empty")]
    pub mfa: MfaState,
    /// Creation time, Unix ms.
    pub created_at_ms: u64,
    /// Last successful login, Unix ms.
    #[serde(default)]
    pub last_login_at_ms: Option<u64>,
    /// Devices (coarse summaries, [`crate::policy::device`]) the account signed in
    /// from, most recent last, at most [`KNOWN_DEVICES`]: a sign-in from another one
    /// is "new" ([`crate::flows::sessions::sign_in`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known_devices: Vec<String>,
    /// Countries (where the platform gives one) the account signed in from, most
    /// recent last, at most [`KNOWN_DEVICES`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known_countries: Vec<String>,
    /// The session epoch: sessions (and MFA challenges) of an earlier epoch are over
    /// ([`crate::policy::session_epoch`]). Moved on by every flow that ends all sessions.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub session_epoch: u64,
    /// The one session of an earlier epoch that the last epoch change kept (the
    /// caller's own, for a password change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_epoch_keeps: Option<String>,
    /// Accounts at sign-in providers linked to this user ([`crate::model::identity`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identities: Vec<LinkedIdentity>,
    /// Fields written by other modules or newer deployments, kept verbatim.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl UserRecord {
    /// Whether the user holds `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// Adds `role` if missing.
    pub fn grant_role(&mut self, role: &str) {
        if !self.has_role(role) {
            self.roles.push(role.into());
        }
    }

    /// The user's address, decrypted ([`email::read_email`]; `503` when unreadable).
    pub fn email_address(&self, config: &Config) -> Result<String, ApiError> {
        email::read_email(config, &self.id, &self.email)
    }

    /// Whether a password is set (accounts created by a social sign-in have none until
    /// they set one through the reset flow).
    pub fn has_password(&self) -> bool {
        !self.password_hash.is_empty()
    }

    /// Whether the user may sign in and use sessions under `config`.
    pub fn may_sign_in(&self, config: &Config) -> bool {
        !self.disabled && (self.email_verified || !config.require_email_verification)
    }
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

/// The shard of a user's records.
pub fn shard(user_id: &str) -> String {
    alloc::format!("user/{user_id}")
}

/// The shard of an email index entry.
pub fn email_shard(index: &str) -> String {
    alloc::format!("email/{index}")
}

/// Name of the index record inside an email shard.
pub const EMAIL_OWNER: &str = "owner";

/// A new random user id.
pub fn new_id(random: &impl crate::Random) -> Result<String, ApiError> {
    let bytes: [u8; 16] = crate::env::random_array(random)?;
    Ok(encoding::hex(&bytes))
}

/// Whether `text` has the shape of an id this core issues (32 lower-case hex digits).
/// Checked before an id from a request becomes part of a storage key.
pub fn is_id(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn encode(user: &UserRecord) -> Result<String, ApiError> {
    serde_json::to_string(user).map_err(|_| ApiError::Internal(Internal("user record encoding")))
}

pub(crate) fn decode(raw: &str) -> Result<UserRecord, ApiError> {
    serde_json::from_str(raw).map_err(|_| ApiError::Internal(Internal("user record corrupt")))
}

/// Reads a user and the raw stored text (the `expected` of a later swap).
pub async fn load_raw(
    atomic: &impl AtomicStore,
    user_id: &str,
) -> Result<Option<(UserRecord, String)>, ApiError> {
    if !is_id(user_id) {
        return Ok(None);
    }
    let shard = shard(user_id);
    match atomic.get(AtomicKey::new(&shard, PROFILE)).await? {
        Some(raw) => Ok(Some((decode(&raw)?, raw))),
        None => Ok(None),
    }
}

/// Reads a user.
pub async fn load(
    atomic: &impl AtomicStore,
    user_id: &str,
) -> Result<Option<UserRecord>, ApiError> {
    Ok(load_raw(atomic, user_id).await?.map(|(user, _)| user))
}

/// Writes a new user; `false` when the id is already taken.
pub async fn insert(atomic: &impl AtomicStore, user: &UserRecord) -> Result<bool, ApiError> {
    let shard = shard(&user.id);
    Ok(atomic
        .compare_and_swap(
            AtomicKey::new(&shard, PROFILE),
            None,
            Some(&encode(user)?),
            None,
        )
        .await?)
}

/// Removes a user record that was written but never became reachable (its email
/// index was lost to a concurrent registration).
pub async fn remove_unreachable(
    atomic: &impl AtomicStore,
    user: &UserRecord,
) -> Result<(), ApiError> {
    let shard = shard(&user.id);
    atomic
        .compare_and_swap(
            AtomicKey::new(&shard, PROFILE),
            Some(&encode(user)?),
            None,
            None,
        )
        .await?;
    Ok(())
}

/// Writes `user` over the stored record only if that is still `expected` (the raw
/// text [`load_raw`] returned). For work outside a request (the rotation sweep);
/// flows use [`update`].
pub async fn swap(
    atomic: &impl AtomicStore,
    expected: &str,
    user: &UserRecord,
) -> Result<bool, ApiError> {
    let shard = shard(&user.id);
    Ok(atomic
        .compare_and_swap(
            AtomicKey::new(&shard, PROFILE),
            Some(expected),
            Some(&encode(user)?),
            None,
        )
        .await?)
}

/// Applies `change` to the stored user with compare-and-swap, recomputing it on the
/// fresh record after a lost race. Returns the stored result, or `None` when the
/// user does not exist. `change` may decline (return `false`) to write nothing.
pub async fn update(
    atomic: &impl AtomicStore,
    user_id: &str,
    mut change: impl FnMut(&mut UserRecord) -> bool,
) -> Result<Option<UserRecord>, ApiError> {
    let shard = shard(user_id);
    for _ in 0..UPDATE_ATTEMPTS {
        let Some((mut user, raw)) = load_raw(atomic, user_id).await? else {
            return Ok(None);
        };
        if !change(&mut user) {
            return Ok(Some(user));
        }
        let new = encode(&user)?;
        if atomic
            .compare_and_swap(
                AtomicKey::new(&shard, PROFILE),
                Some(&raw),
                Some(&new),
                None,
            )
            .await?
        {
            return Ok(Some(user));
        }
    }
    Err(ApiError::Unavailable(Internal(
        "user record update contended",
    )))
}

/// The user that owns a normalised address, looked up under every data key (active
/// first). Every candidate is read, even after a hit, so the number of store reads
/// does not depend on whether (or under which key) the account exists.
pub async fn find_by_email(
    atomic: &impl AtomicStore,
    config: &Config,
    normalized: &str,
) -> Result<Option<String>, ApiError> {
    let mut owner = None;
    for index in email::email_index_candidates(config, normalized) {
        let found = find_by_index(atomic, &index).await?;
        if owner.is_none() {
            owner = found;
        }
    }
    Ok(owner)
}

/// The user id that owns an email index, if any.
pub async fn find_by_index(
    atomic: &impl AtomicStore,
    index: &str,
) -> Result<Option<String>, ApiError> {
    let shard = email_shard(index);
    Ok(atomic.get(AtomicKey::new(&shard, EMAIL_OWNER)).await?)
}

/// Claims an email index for `user_id`; `false` when someone else holds it.
pub async fn claim_index(
    atomic: &impl AtomicStore,
    index: &str,
    user_id: &str,
) -> Result<bool, ApiError> {
    let shard = email_shard(index);
    Ok(atomic
        .compare_and_swap(
            AtomicKey::new(&shard, EMAIL_OWNER),
            None,
            Some(user_id),
            None,
        )
        .await?)
}

/// Rewrites an email index entry with the value it holds (`user_id`): a
/// compare-and-swap that changes nothing. Registration's taken-address path makes it
/// where the new-address path claims the index ([`claim_index`]), so both paths make
/// the same store operation on the same shard. When the entry does not hold
/// `user_id` (absent: the account is still indexed under an older data key) the swap
/// fails and nothing is written — never a claim for someone else.
pub async fn rewrite_index(
    atomic: &impl AtomicStore,
    index: &str,
    user_id: &str,
) -> Result<bool, ApiError> {
    let shard = email_shard(index);
    Ok(atomic
        .compare_and_swap(
            AtomicKey::new(&shard, EMAIL_OWNER),
            Some(user_id),
            Some(user_id),
            None,
        )
        .await?)
}

/// Removes an email index entry if `user_id` still holds it (compare-and-swap, so an
/// entry that meanwhile belongs to someone else is left alone). Returns whether it
/// was removed.
pub async fn release_index(
    atomic: &impl AtomicStore,
    index: &str,
    user_id: &str,
) -> Result<bool, ApiError> {
    let shard = email_shard(index);
    Ok(atomic
        .compare_and_swap(
            AtomicKey::new(&shard, EMAIL_OWNER),
            Some(user_id),
            None,
            None,
        )
        .await?)
}

/// Prefix of the user directory in the RecordStore.
pub const DIRECTORY_PREFIX: &str = "users/";

/// Lists a user in the directory (called once the account is reachable).
pub async fn directory_add(records: &impl RecordStore, user_id: &str) -> Result<(), ApiError> {
    let key = alloc::format!("{DIRECTORY_PREFIX}{user_id}");
    records.put(&key, "{}", None).await?;
    Ok(())
}

/// Removes a user from the directory (account erasure).
pub async fn directory_remove(records: &impl RecordStore, user_id: &str) -> Result<(), ApiError> {
    let key = alloc::format!("{DIRECTORY_PREFIX}{user_id}");
    records.delete(&key).await?;
    Ok(())
}

/// One page of user ids from the directory, in ascending order, and the cursor of
/// the next page (`None` at the end). Keys that are not user ids are skipped.
pub async fn directory_page(
    records: &impl RecordStore,
    cursor: Option<&str>,
    limit: usize,
) -> Result<(Vec<String>, Option<String>), ApiError> {
    let KeyPage { keys, cursor } = records.list(DIRECTORY_PREFIX, cursor, limit).await?;
    let ids = keys
        .iter()
        .filter_map(|key| key.strip_prefix(DIRECTORY_PREFIX))
        .filter(|id| is_id(id))
        .map(String::from)
        .collect();
    Ok((ids, cursor))
}

/// The `{"id","email","roles"}` object of login, refresh and session answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserSummary {
    /// User id.
    pub id: String,
    /// The address.
    pub email: String,
    /// Roles.
    pub roles: Vec<String>,
}

impl UserSummary {
    /// The summary of `user`.
    pub fn of(config: &Config, user: &UserRecord) -> Result<Self, ApiError> {
        Ok(Self {
            id: user.id.clone(),
            email: email::read_email(config, &user.id, &user.email)?,
            roles: user.roles.clone(),
        })
    }
}
