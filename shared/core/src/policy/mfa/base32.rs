//! RFC 4648 §6 base32, the encoding of TOTP secrets in authenticator apps.
//!
//! Output is upper case without padding (what `otpauth://` URIs and most apps expect).
//! Input is accepted in either case, with or without padding.
//!
//! Security considerations:
//! - Strict and total: any character outside the alphabet (spaces included), padding
//!   anywhere but at the end or of the wrong amount, an impossible length (1, 3 or 6
//!   characters in the last group) and non-zero unused trailing bits (RFC 4648 §3.5)
//!   are errors. So every byte string has exactly one accepted spelling per case, and
//!   no input makes the decoder panic (property-tested).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Why a base32 string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Base32Error {
    /// A character outside `A–Z`, `a–z`, `2–7` (or `=` before the end).
    InvalidCharacter,
    /// A length no byte string encodes to.
    InvalidLength,
    /// Padding of the wrong amount, or on a string that is not a multiple of 8.
    InvalidPadding,
    /// The unused bits of the last character are not zero (a non-canonical spelling).
    NonCanonical,
}

impl fmt::Display for Base32Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidCharacter => "base32: invalid character",
            Self::InvalidLength => "base32: invalid length",
            Self::InvalidPadding => "base32: invalid padding",
            Self::NonCanonical => "base32: non-zero trailing bits",
        })
    }
}

/// Encodes bytes as upper-case base32 without padding.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u16 = 0;
    let mut bits: u32 = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u16::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(symbol(buffer >> bits));
        }
        buffer &= (1u16 << bits) - 1;
    }
    if bits > 0 {
        out.push(symbol(buffer << (5 - bits)));
    }
    out
}

/// Decodes base32 (either case, padding optional).
pub fn decode(text: &str) -> Result<Vec<u8>, Base32Error> {
    let data = text.trim_end_matches('=');
    let padding = text.len() - data.len();
    // Characters in the last (partial) group of 8, and the padding it requires.
    let required_padding = match data.len() % 8 {
        0 => 0,
        2 => 6,
        4 => 4,
        5 => 3,
        7 => 1,
        _ => {
            // Check characters first, so garbage is reported as such.
            value_check(data)?;
            return Err(Base32Error::InvalidLength);
        }
    };
    if padding != 0 && padding != required_padding {
        return Err(Base32Error::InvalidPadding);
    }
    let mut out = Vec::with_capacity(data.len() * 5 / 8);
    let mut buffer: u16 = 0;
    let mut bits: u32 = 0;
    for byte in data.bytes() {
        buffer = (buffer << 5) | u16::from(value(byte).ok_or(Base32Error::InvalidCharacter)?);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
            buffer &= (1u16 << bits) - 1;
        }
    }
    if buffer != 0 {
        return Err(Base32Error::NonCanonical);
    }
    Ok(out)
}

fn value_check(data: &str) -> Result<(), Base32Error> {
    match data.bytes().all(|byte| value(byte).is_some()) {
        true => Ok(()),
        false => Err(Base32Error::InvalidCharacter),
    }
}

/// The alphabet character of a 5-bit value (higher bits are ignored).
fn symbol(value: u16) -> char {
    ALPHABET
        .get(usize::from(value & 0x1f))
        .map_or('A', |&byte| char::from(byte))
}

/// The 5-bit value of an alphabet character, in either case.
fn value(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a'),
        b'2'..=b'7' => Some(byte - b'2' + 26),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
