//! Consents: `GET`/`PUT /api/me/consents` (docs/contract.md §6; GDPR Art. 7).
//!
//! Wire shape, both ways:
//! `{"consents": {"<purpose>": {"granted": bool, "version": "…", "updated_at": "…"}}}`
//! — a `PUT` sends `granted` and `version` per purpose and may name any subset of the
//! purposes; the answer (`200`) is the whole current state, as `GET` returns it.
//!
//! - **Purposes** are a fixed allowlist, [`PURPOSES`]: `marketing_email`,
//!   `analytics`, `product_updates`. Anything else is `400` — a consent to an
//!   undeclared purpose would be meaningless. `GET` lists every purpose, so a
//!   consent screen can discover them: one never decided is
//!   `{"granted": false, "version": null, "updated_at": null}` — not granted.
//! - **`version`** names the text the user saw (1–32 characters of
//!   `A-Z a-z 0-9 . _ -`), so a later change of wording can ask again.
//! - **Withdrawal is as easy as granting**: the same request with `granted: false`.
//! - **Every change is audited** (`consent_changed`, detail `purpose`, `granted`,
//!   `version`), which is the record that demonstrates consent (Art. 7(1)) for as
//!   long as the audit retention. A `PUT` that repeats the current state changes
//!   nothing and audits nothing.
//!
//! Storage: AtomicStore, the user's shard, name `consents`, a JSON map purpose →
//! `{granted, version, updated_at_ms}`, updated by compare-and-swap; erased with the
//! account.
//!
//! Security considerations: the body denies unknown fields; purposes and versions
//! are validated by shape before they reach the store or an audit detail, so no
//! free text (an address, say) can be smuggled into the audit log.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::ctx::{Ctx, Services};
use crate::encoding;
use crate::error::{ApiError, Internal};
use crate::http::{body, Response};
use crate::model::audit::AuditKind;
use crate::model::principal::Principal;
use crate::model::user;
use crate::store::{AtomicKey, AtomicStore};

/// The purposes a user can consent to.
pub const PURPOSES: &[&str] = &["marketing_email", "analytics", "product_updates"];
/// The record's name in the user's shard.
pub const NAME: &str = "consents";
/// Longest `version`.
pub const MAX_VERSION_CHARS: usize = 32;
const ATTEMPTS: usize = 6;

/// One stored decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// Granted or withdrawn.
    pub granted: bool,
    /// The version of the consent text.
    pub version: String,
    /// When the decision was made (Unix ms).
    pub updated_at_ms: u64,
}

/// All of a user's decisions, by purpose.
pub type Consents = BTreeMap<String, Consent>;

#[derive(Debug, Serialize)]
struct ConsentView<'a> {
    granted: bool,
    version: Option<&'a str>,
    updated_at: Option<String>,
}

/// The wire form `{"consents": {…}}`: every purpose of [`PURPOSES`], a purpose never
/// decided as `{"granted": false, "version": null, "updated_at": null}`, so a consent
/// screen can discover them; and any stored decision on a purpose no longer offered
/// (the record still holds it, so the user sees it).
pub fn view(consents: &Consents) -> serde_json::Value {
    let undecided = || ConsentView {
        granted: false,
        version: None,
        updated_at: None,
    };
    let mut map: BTreeMap<&str, ConsentView<'_>> = PURPOSES
        .iter()
        .map(|purpose| (*purpose, undecided()))
        .collect();
    for (purpose, consent) in consents {
        map.insert(
            purpose.as_str(),
            ConsentView {
                granted: consent.granted,
                version: Some(&consent.version),
                updated_at: Some(encoding::rfc3339(consent.updated_at_ms)),
            },
        );
    }
    serde_json::json!({ "consents": map })
}

/// Reads a user's consents and the raw stored text (`None` when none were given).
pub async fn load(
    atomic: &impl AtomicStore,
    user_id: &str,
) -> Result<(Consents, Option<String>), ApiError> {
    let shard = user::shard(user_id);
    match atomic.get(AtomicKey::new(&shard, NAME)).await? {
        Some(raw) => {
            let consents = serde_json::from_str(&raw)
                .map_err(|_| ApiError::Internal(Internal("consent record corrupt")))?;
            Ok((consents, Some(raw)))
        }
        None => Ok((Consents::new(), None)),
    }
}

/// `GET /api/me/consents`.
pub async fn get<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let (consents, _) = load(ctx.services.atomic(), principal.user_id()).await?;
    Ok(Response::json(200, &view(&consents)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    granted: bool,
    version: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PutBody {
    consents: BTreeMap<String, Change>,
}

/// Whether `version` has the allowed shape.
pub fn is_version(version: &str) -> bool {
    (1..=MAX_VERSION_CHARS).contains(&version.len())
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_".contains(&b))
}

/// `PUT /api/me/consents {"consents": {purpose: {granted, version}}}` → `200` the
/// whole state.
pub async fn put<S: Services>(
    ctx: &Ctx<'_, S>,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let request: PutBody = body::parse_json(ctx.request)?;
    if request.consents.is_empty() {
        return Err(ApiError::InvalidRequest(
            "consents: name at least one purpose",
        ));
    }
    for (purpose, change) in &request.consents {
        if !PURPOSES.contains(&purpose.as_str()) {
            return Err(ApiError::InvalidRequest(
                "consents: purposes are marketing_email, analytics, product_updates",
            ));
        }
        if !is_version(&change.version) {
            return Err(ApiError::InvalidRequest(
                "version: 1 to 32 characters of A-Z a-z 0-9 . _ -",
            ));
        }
    }
    let atomic = ctx.services.atomic();
    let user_id = principal.user_id();
    let shard = user::shard(user_id);
    for _ in 0..ATTEMPTS {
        let (mut consents, raw) = load(atomic, user_id).await?;
        let mut changed: Vec<(&str, &Change)> = Vec::new();
        for (purpose, change) in &request.consents {
            let same = consents.get(purpose).is_some_and(|current| {
                current.granted == change.granted && current.version == change.version
            });
            if !same {
                consents.insert(
                    purpose.clone(),
                    Consent {
                        granted: change.granted,
                        version: change.version.clone(),
                        updated_at_ms: ctx.now_ms,
                    },
                );
                changed.push((purpose, change));
            }
        }
        if changed.is_empty() {
            return Ok(Response::json(200, &view(&consents)));
        }
        let new = serde_json::to_string(&consents)
            .map_err(|_| ApiError::Internal(Internal("consent encoding")))?;
        if atomic
            .compare_and_swap(
                AtomicKey::new(&shard, NAME),
                raw.as_deref(),
                Some(&new),
                None,
            )
            .await?
        {
            for (purpose, change) in changed {
                let granted = if change.granted { "true" } else { "false" };
                ctx.audit(
                    AuditKind::ConsentChanged,
                    Some(user_id),
                    Some(user_id),
                    &[
                        ("purpose", purpose),
                        ("granted", granted),
                        ("version", &change.version),
                    ],
                )?;
            }
            return Ok(Response::json(200, &view(&consents)));
        }
    }
    Err(ApiError::Unavailable(Internal("consent update contended")))
}
