//! Known-answer vectors (`tests/vectors/argon2.json`, `bcrypt.json`,
//! `common-passwords-sample.json`) and behaviour tests across the password module.
//! Where a test is not about the parameters, it uses [`FAST`] to stay quick.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use alloc::{format, vec};
use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, AssociatedData, KeyId, ParamsBuilder, PasswordHasher, Version};
use proptest::prelude::*;
use serde_json::Value;

use super::*;
use crate::env::fake::SeededRandom;
use crate::env::{Random, RandomError};
use crate::error::ApiError;

/// Cheap parameters for tests that are not about cost.
const FAST: PasswordHashParams = PasswordHashParams {
    memory_kib: 64,
    iterations: 1,
    parallelism: 1,
};

fn vectors(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn pepper(bytes: &[u8]) -> Secret {
    Secret::new(bytes.to_vec())
}

/// A PHC string made directly with the argon2 crate, for any shape of hash.
#[allow(clippy::too_many_arguments)]
fn phc(
    password: &str,
    algorithm: Algorithm,
    version: Version,
    (m, t, p): (u32, u32, u32),
    salt: &[u8],
    tag_len: usize,
    secret: Option<&[u8]>,
    keyid: Option<&[u8]>,
) -> String {
    let mut builder = ParamsBuilder::new();
    builder.m_cost(m).t_cost(t).p_cost(p).output_len(tag_len);
    if let Some(keyid) = keyid {
        builder.keyid(KeyId::new(keyid).unwrap());
    }
    let params = builder.build().unwrap();
    let argon2 = match secret {
        Some(secret) => Argon2::new_with_secret(secret, algorithm, version, params).unwrap(),
        None => Argon2::new(algorithm, version, params),
    };
    argon2
        .hash_password_with_salt(password.as_bytes(), salt)
        .unwrap()
        .to_string()
}

fn current(password: &str, params: &PasswordHashParams) -> String {
    phc(
        password,
        Algorithm::Argon2id,
        Version::V0x13,
        (params.memory_kib, params.iterations, params.parallelism),
        &[9u8; 16],
        32,
        None,
        None,
    )
}

const VALID_CURRENT: Verification = Verification::Valid {
    needs_rehash: false,
};
const VALID_STALE: Verification = Verification::Valid { needs_rehash: true };

mod bcrypt;
#[cfg(feature = "password-policy")]
mod common;
mod dummy;
mod hashing;
mod malformed;
mod pepper;
mod rehash;
mod vectors;
