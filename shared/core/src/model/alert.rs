//! Security alerts: the values flows (through their audit events) and the pipeline
//! raise, the webhook deliveries they fan out to, and where delivery records live.
//!
//! An [`Alert`] becomes one Standard Webhooks message: `webhook-id` is the alert's
//! id (`msg_` + the audit event's id, or a fresh random id for alerts without one),
//! stable across every retry and every endpoint so that receivers deduplicate by it;
//! the body is [`Alert::payload`], `{"type", "timestamp", "data"}`. One
//! [`Delivery`] per alert and endpoint is what travels (a Cloudflare Queue message,
//! or a retry record on Spin) and what is stored when it fails.
//!
//! Delivery records (RecordStore):
//! - `webhooks/failed/<rev_ts>/<id>/<endpoint>`: gave up after `WEBHOOK_MAX_ATTEMPTS`
//!   (kept [`FAILED_RETENTION_MS`], newest first);
//! - `webhooks/retrying/<due_ms>/<id>/<endpoint>`: waiting for its next attempt, when
//!   the platform has no queue (Spin);
//!   ordered by when it is due.
//!
//! Security considerations: an alert's data is chosen field by field — user ids
//! (pseudonyms), the /24 or /48 address prefix, a coarse device summary, the request
//! id and the code-chosen `detail` pairs of its audit event. There is no field for an
//! address, a password, a token, a code or a secret, and the payload never includes a
//! user agent verbatim.

use alloc::collections::BTreeMap;
use alloc::string::String;
use serde::{Deserialize, Serialize};

use crate::config::AlertKind;
use crate::encoding;

/// Prefix of every delivery record.
pub const DELIVERIES_PREFIX: &str = "webhooks/";
/// How long a failed delivery's record is kept (30 days).
pub const FAILED_RETENTION_MS: u64 = 30 * 86_400_000;

/// What an alert is about, as the payload's `data`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertData {
    /// The audit event it mirrors, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_event_id: Option<String>,
    /// Whom it concerns (user id).
    pub subject_id: Option<String>,
    /// Who acted (user id).
    pub actor_id: Option<String>,
    /// The client's IPv4 /24 or IPv6 /48.
    pub ip_prefix: Option<String>,
    /// A coarse device summary (`Firefox on Linux`), never the user agent itself.
    pub device: Option<String>,
    /// The request that raised it.
    pub request_id: Option<String>,
    /// Code-chosen facts (counts, role names, key ids, a country code).
    pub detail: BTreeMap<String, String>,
}

/// One security alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The Standard Webhooks message id, `msg_…`.
    pub id: String,
    /// What happened.
    pub kind: AlertKind,
    /// When (Unix ms).
    pub at_ms: u64,
    /// About what.
    pub data: AlertData,
}

#[derive(Serialize)]
struct Payload<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    timestamp: String,
    data: &'a AlertData,
}

impl Alert {
    /// The id of an alert that mirrors the audit event `event_id`.
    pub fn id_for_event(event_id: &str) -> String {
        alloc::format!("msg_{event_id}")
    }

    /// The id of an alert without an audit event, from 16 random bytes.
    pub fn fresh_id(random: &[u8; 16]) -> String {
        alloc::format!("msg_{}", encoding::hex(random))
    }

    /// The webhook body: `{"type", "timestamp", "data"}`.
    pub fn payload(&self) -> String {
        serde_json::to_string(&Payload {
            kind: self.kind.as_str(),
            timestamp: encoding::rfc3339(self.at_ms),
            data: &self.data,
        })
        .unwrap_or_default()
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not tried yet, or waiting for its next attempt.
    Retrying,
    /// Given up on after the last attempt.
    Failed,
}

impl DeliveryStatus {
    /// The wire name and key segment.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Retrying => "retrying",
            Self::Failed => "failed",
        }
    }

    /// The status named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "retrying" => Some(Self::Retrying),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }

    /// The listing prefix of records in this status.
    pub fn prefix(self) -> String {
        alloc::format!("{DELIVERIES_PREFIX}{}/", self.as_str())
    }
}

/// One alert on its way to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The `webhook-id`, the same on every attempt and every endpoint.
    pub id: String,
    /// The endpoint's name in `WEBHOOK_ENDPOINTS`.
    pub endpoint: String,
    /// The alert's `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The exact body every attempt sends.
    pub payload: String,
    /// When the alert was raised (Unix ms).
    pub created_at_ms: u64,
    /// Attempts made so far.
    #[serde(default)]
    pub attempts: u32,
    /// The receiver's last status, when it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<u16>,
    /// Why the last attempt got no answer (`unreachable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the last attempt was made (Unix ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt_at_ms: Option<u64>,
    /// When the next attempt is due (Unix ms), while retrying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at_ms: Option<u64>,
}

impl Delivery {
    /// The record key of this delivery in `status`.
    pub fn key(&self, status: DeliveryStatus) -> String {
        let order = match status {
            // Due first: a sweep lists from the start and stops at the first not due.
            DeliveryStatus::Retrying => {
                alloc::format!("{:020}", self.next_attempt_at_ms.unwrap_or(0))
            }
            // Newest first.
            DeliveryStatus::Failed => alloc::format!(
                "{:020}",
                u64::MAX - self.last_attempt_at_ms.unwrap_or(self.created_at_ms)
            ),
        };
        alloc::format!("{}{order}/{}/{}", status.prefix(), self.id, self.endpoint)
    }

    /// The record as stored or enqueued.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored or enqueued delivery.
    pub fn from_json(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

/// When a retrying record's key says it is due (Unix ms), without reading it.
pub fn due_at_of_key(key: &str) -> Option<u64> {
    key.strip_prefix(DeliveryStatus::Retrying.prefix().as_str())?
        .split('/')
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests;
