//! Registered OAuth clients: their metadata, how they authenticate, and where they are
//! stored (shard `oauth/client/{client_id}`, name `client`; the admin listing reads the
//! directory `oauth-clients/{client_id}` of the record store).
//!
//! Security considerations: a client secret is 256 random bits shown once, stored as
//! its SHA-256 and compared in constant time; a client authenticates only with the
//! method it registered (a confidential client cannot fall back to `none`); a
//! disabled or deleted client is refused at every endpoint from the next request on,
//! since every endpoint reads the record from strongly consistent storage.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::crypto::kdf::sha256;
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::model::user;
use crate::secret::constant_time_eq;
use crate::store::{AtomicKey, AtomicStore, RecordStore};

/// The record's name within its shard.
pub const NAME: &str = "client";
/// Prefix of the client directory in the record store.
pub const DIRECTORY_PREFIX: &str = "oauth-clients/";

/// How a client authenticates at the token, revocation and introspection endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// `Authorization: Basic` with the client id and secret (RFC 6749 §2.3.1).
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// A JWT signed with one of the client's registered keys (RFC 7523, OIDC Core §9).
    PrivateKeyJwt,
    /// A public client (native or browser app): `client_id` only, PKCE proves the rest.
    None,
}

impl AuthMethod {
    /// Every method, in the order discovery lists them.
    pub const ALL: [Self; 4] = [
        Self::ClientSecretBasic,
        Self::ClientSecretPost,
        Self::PrivateKeyJwt,
        Self::None,
    ];

    /// The registration metadata value (`token_endpoint_auth_method`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::PrivateKeyJwt => "private_key_jwt",
            Self::None => "none",
        }
    }

    /// The method named `name`, if supported.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|method| method.as_str() == name)
    }

    /// Whether clients of this method hold a secret.
    pub fn uses_secret(self) -> bool {
        matches!(self, Self::ClientSecretBasic | Self::ClientSecretPost)
    }
}

/// The algorithm of a client's ID tokens (`id_token_signed_response_alg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdTokenAlg {
    /// Ed25519 (the default).
    #[serde(rename = "EdDSA")]
    EdDsa,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (needs `OIDC_RSA_SIGNING_KEYS`).
    #[serde(rename = "RS256")]
    Rs256,
}

impl IdTokenAlg {
    /// The JOSE name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EdDsa => "EdDSA",
            Self::Rs256 => "RS256",
        }
    }
}

/// One registered client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRecord {
    /// 128 random bits, hex.
    pub id: String,
    /// What the consent page shows (`client_name`).
    pub name: String,
    /// Exact redirect URIs (loopback ones match on any port, RFC 8252 §7.3).
    pub redirect_uris: Vec<String>,
    /// Where RP-initiated logout may return (exact).
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// How it authenticates.
    pub auth_method: AuthMethod,
    /// SHA-256 (hex) of the secret, for the secret methods.
    #[serde(default)]
    pub secret_hash: Option<String>,
    /// Its public keys (a JWK Set, as registered) for `private_key_jwt`.
    #[serde(default)]
    pub jwks: Option<String>,
    /// Whether it may use the `refresh_token` grant.
    pub refresh_tokens: bool,
    /// Its ID tokens' algorithm.
    pub id_token_alg: IdTokenAlg,
    /// Registered through `POST /oauth/register` (nobody vouched for its name).
    pub dynamic: bool,
    /// Creation time, Unix ms.
    pub created_at_ms: u64,
    /// The administrator who created it (admin API), if any.
    #[serde(default)]
    pub created_by: Option<String>,
    /// Disabled by an administrator: refused everywhere until enabled.
    #[serde(default)]
    pub disabled: bool,
}

impl ClientRecord {
    /// Whether `secret` is this client's secret (constant time).
    pub fn secret_matches(&self, secret: &str) -> bool {
        let Some(stored) = self.secret_hash.as_deref() else {
            return false;
        };
        constant_time_eq(
            encoding::hex(&sha256(secret.as_bytes())).as_bytes(),
            stored.as_bytes(),
        )
    }
}

/// The stored form of a new secret: SHA-256, hex.
pub fn secret_hash(secret: &str) -> String {
    encoding::hex(&sha256(secret.as_bytes()))
}

/// The shard of client `client_id`.
pub fn shard(client_id: &str) -> String {
    alloc::format!("oauth/client/{client_id}")
}

fn encode(record: &ClientRecord) -> Result<String, ApiError> {
    serde_json::to_string(record).map_err(|_| ApiError::Internal(Internal("client encoding")))
}

/// Reads a client and its raw stored text; ids not of our shape read as absent.
pub async fn load_raw(
    atomic: &impl AtomicStore,
    client_id: &str,
) -> Result<Option<(ClientRecord, String)>, ApiError> {
    if !user::is_id(client_id) {
        return Ok(None);
    }
    let shard = shard(client_id);
    let Some(raw) = atomic.get(AtomicKey::new(&shard, NAME)).await? else {
        return Ok(None);
    };
    let record: ClientRecord = serde_json::from_str(&raw)
        .map_err(|_| ApiError::Internal(Internal("client record corrupt")))?;
    if record.id != client_id {
        return Err(ApiError::Internal(Internal("client record mismatch")));
    }
    Ok(Some((record, raw)))
}

/// Whether client `client_id` exists and is not disabled, reading only that much of
/// the record (the `api`'s resource check, where the rest of a client is not needed).
pub async fn is_enabled(atomic: &impl AtomicStore, client_id: &str) -> Result<bool, ApiError> {
    #[derive(Deserialize)]
    struct Status {
        id: String,
        #[serde(default)]
        disabled: bool,
    }
    if !user::is_id(client_id) {
        return Ok(false);
    }
    let shard = shard(client_id);
    let Some(raw) = atomic.get(AtomicKey::new(&shard, NAME)).await? else {
        return Ok(false);
    };
    let status: Status = serde_json::from_str(&raw)
        .map_err(|_| ApiError::Internal(Internal("client record corrupt")))?;
    Ok(status.id == client_id && !status.disabled)
}

/// Reads a client.
pub async fn load(
    atomic: &impl AtomicStore,
    client_id: &str,
) -> Result<Option<ClientRecord>, ApiError> {
    Ok(load_raw(atomic, client_id).await?.map(|(record, _)| record))
}

/// Writes `record` if the stored text is still `expected` (`None`: a new client).
pub async fn swap(
    atomic: &impl AtomicStore,
    expected: Option<&str>,
    record: Option<&ClientRecord>,
    client_id: &str,
) -> Result<bool, ApiError> {
    let shard = shard(client_id);
    let new = match record {
        Some(record) => Some(encode(record)?),
        None => None,
    };
    Ok(atomic
        .compare_and_swap(AtomicKey::new(&shard, NAME), expected, new.as_deref(), None)
        .await?)
}

/// Lists a client in the directory.
pub async fn directory_add(records: &impl RecordStore, client_id: &str) -> Result<(), ApiError> {
    let key = alloc::format!("{DIRECTORY_PREFIX}{client_id}");
    records.put(&key, "{}", None).await?;
    Ok(())
}

/// Removes a client from the directory.
pub async fn directory_remove(records: &impl RecordStore, client_id: &str) -> Result<(), ApiError> {
    let key = alloc::format!("{DIRECTORY_PREFIX}{client_id}");
    records.delete(&key).await?;
    Ok(())
}
