//! The relying party's identity — RP id and origin — validated once, at construction.
//!
//! Security considerations: the origin must be `https://host[:port]` (or `http://` on
//! `localhost`, for development), with no path, and its host must be the RP id or a
//! subdomain of it (§5.1.4.1's "registrable domain suffix" rule, minus the public-suffix
//! check, which is the deployer's to get right). A configuration that can never work, or
//! that would accept a look-alike, is refused before any ceremony runs.

use sha2::{Digest, Sha256};

use crate::error::Error;

/// The relying party a ceremony is checked against (edgeauth: RP id = the host of
/// `PUBLIC_ORIGIN`, origin = `PUBLIC_ORIGIN`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelyingParty<'a> {
    rp_id: &'a str,
    origin: &'a str,
    rp_id_hash: [u8; 32],
}

impl<'a> RelyingParty<'a> {
    /// Validates and builds the relying party. Errors are [`Error::Misuse`].
    pub fn new(rp_id: &'a str, origin: &'a str) -> Result<Self, Error> {
        let host_port = if let Some(rest) = origin.strip_prefix("https://") {
            rest
        } else if let Some(rest) = origin.strip_prefix("http://") {
            let host = rest.split(':').next().unwrap_or_default();
            if host != "localhost" {
                return Err(Error::Misuse("a non-localhost origin must be https"));
            }
            rest
        } else {
            return Err(Error::Misuse("the origin must be https://host[:port]"));
        };
        if host_port.contains(['/', '?', '#', '@']) || host_port.is_empty() {
            return Err(Error::Misuse(
                "the origin must be scheme://host[:port] only",
            ));
        }
        let host = match host_port.rsplit_once(':') {
            Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
                host
            }
            Some(_) => return Err(Error::Misuse("the origin's port is not a number")),
            None => host_port,
        };
        if rp_id.is_empty()
            || rp_id.starts_with('.')
            || rp_id.ends_with('.')
            || !rp_id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        {
            return Err(Error::Misuse("the RP id must be a lowercase domain name"));
        }
        let within = host == rp_id
            || host
                .strip_suffix(rp_id)
                .is_some_and(|prefix| prefix.ends_with('.'));
        if !within {
            return Err(Error::Misuse(
                "the origin's host is not the RP id or below it",
            ));
        }
        Ok(Self {
            rp_id,
            origin,
            rp_id_hash: Sha256::digest(rp_id.as_bytes()).into(),
        })
    }

    /// The RP id.
    pub fn rp_id(&self) -> &str {
        self.rp_id
    }

    /// The one origin ceremonies must come from.
    pub fn origin(&self) -> &str {
        self.origin
    }

    /// SHA-256 of the RP id, as `rpIdHash` must be.
    pub fn rp_id_hash(&self) -> &[u8; 32] {
        &self.rp_id_hash
    }
}

/// Whether the UV flag is required.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UserVerification {
    /// UV must be set (passwordless sign-in: the passkey is the only factor).
    #[default]
    Required,
    /// UV is reported but not required (a passkey as second factor after a password).
    NotRequired,
}

/// The smallest challenge accepted from the caller (§13.4.3: at least 16 random bytes).
pub const MIN_CHALLENGE_LEN: usize = 16;

pub(crate) fn check_challenge(challenge: &[u8]) -> Result<(), Error> {
    if challenge.len() < MIN_CHALLENGE_LEN {
        return Err(Error::Misuse("the challenge must be at least 16 bytes"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
