//! The embedded common-password set: a 3-wise binary fuse filter (Graf & Lemire,
//! "Binary Fuse Filters: Fast and Smaller Than Xor Filters", 2022) built by
//! `tools/build-password-list/build.py` into `shared/core/data/common-passwords.bfuse`.
//! That script documents the byte format; this file is its reader, and the two must
//! agree bit for bit (the tests here check members listed by the builder).
//!
//! A filter answers "certainly not in the set" or "in the set, except with
//! probability about 2^-bits" (9 bits: ~0.2 %, measured and recorded in
//! `shared/core/data/common-passwords.json` and `docs/passwords.md`). A false positive
//! only ever rejects a new password as "too common"; it never lets one through.
//!
//! Security considerations: the data is a compile-time constant, parsed and
//! validated on every use (a few comparisons); a malformed filter is an error that
//! the policy turns into `500`, never an out-of-bounds read or a silent pass. Keys
//! are hashed with BLAKE2b, so nothing about the set's members is recoverable
//! beyond membership tests — though the set is public anyway.

use blake2::{Blake2b512, Digest};

/// The filter bytes, embedded at compile time.
static EMBEDDED: &[u8] = include_bytes!("../../../data/common-passwords.bfuse");

const MAGIC: &[u8; 8] = b"EAPWBF1\0";
const HEADER_LEN: usize = 40;

/// The filter bytes do not form a valid filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MalformedFilter;

/// A parsed view of a filter's bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Filter<'a> {
    bits: u32,
    seed: u64,
    segment_length: u64,
    segment_count_length: u64,
    fingerprints: &'a [u8],
}

/// The embedded filter.
pub(crate) fn embedded() -> Result<Filter<'static>, MalformedFilter> {
    Filter::parse(EMBEDDED)
}

fn u32_at(bytes: &[u8], offset: usize) -> Result<u32, MalformedFilter> {
    let slice = bytes.get(offset..offset + 4).ok_or(MalformedFilter)?;
    Ok(u32::from_le_bytes(
        slice.try_into().map_err(|_| MalformedFilter)?,
    ))
}

fn u64_at(bytes: &[u8], offset: usize) -> Result<u64, MalformedFilter> {
    let slice = bytes.get(offset..offset + 8).ok_or(MalformedFilter)?;
    Ok(u64::from_le_bytes(
        slice.try_into().map_err(|_| MalformedFilter)?,
    ))
}

/// murmur3's 64-bit finaliser, as the reference binary fuse implementation mixes.
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl<'a> Filter<'a> {
    /// Parses and validates `bytes` (header and exact payload length).
    pub(crate) fn parse(bytes: &'a [u8]) -> Result<Self, MalformedFilter> {
        if bytes.get(..8) != Some(&MAGIC[..]) {
            return Err(MalformedFilter);
        }
        let bits = u32::from(*bytes.get(8).ok_or(MalformedFilter)?);
        let seed = u64_at(bytes, 16)?;
        let segment_length = u64::from(u32_at(bytes, 24)?);
        let segment_count_length = u64::from(u32_at(bytes, 28)?);
        let array_length = u64::from(u32_at(bytes, 32)?);
        let fingerprints = bytes.get(HEADER_LEN..).ok_or(MalformedFilter)?;

        let shape_ok = (8..=16).contains(&bits)
            && segment_length.is_power_of_two()
            && segment_count_length > 0
            && segment_count_length % segment_length == 0
            && array_length == segment_count_length + 2 * segment_length
            && u64::try_from(fingerprints.len()).ok()
                == Some((array_length * u64::from(bits)).div_ceil(8));
        if !shape_ok {
            return Err(MalformedFilter);
        }
        Ok(Self {
            bits,
            seed,
            segment_length,
            segment_count_length,
            fingerprints,
        })
    }

    /// Bits per fingerprint (the false-positive rate is about 2^-bits).
    #[cfg(test)]
    pub(crate) fn fingerprint_bits(&self) -> u32 {
        self.bits
    }

    /// The fingerprint stored at `index` (`bits` wide, packed little-endian).
    fn fingerprint(&self, index: u64) -> u32 {
        let position = index * u64::from(self.bits);
        let Ok(byte) = usize::try_from(position / 8) else {
            return 0;
        };
        let shift = position % 8;
        let word = (0..3).fold(0u32, |word, offset| {
            let value = self.fingerprints.get(byte + offset).copied().unwrap_or(0);
            word | (u32::from(value) << (8 * offset))
        });
        (word >> shift) & ((1 << self.bits) - 1)
    }

    /// Whether `key` is (probably) in the set.
    pub(crate) fn contains(&self, key: &[u8]) -> bool {
        let digest = Blake2b512::digest(key);
        let mut first = [0u8; 8];
        for (slot, byte) in first.iter_mut().zip(digest.iter()) {
            *slot = *byte;
        }
        let h = fmix64(u64::from_le_bytes(first).wrapping_add(self.seed));
        let mask = (1u64 << self.bits) - 1;
        let expected = (h ^ (h >> 32)) & mask;

        // Three positions, one in each of three consecutive segments.
        let wide = u128::from(h) * u128::from(self.segment_count_length);
        let i0 = u64::try_from(wide >> 64).unwrap_or(0);
        let within = self.segment_length - 1;
        let i1 = (i0 + self.segment_length) ^ ((h >> 18) & within);
        let i2 = (i0 + 2 * self.segment_length) ^ (h & within);
        let stored = self.fingerprint(i0) ^ self.fingerprint(i1) ^ self.fingerprint(i2);
        u64::from(stored) == expected
    }
}

#[cfg(test)]
mod tests;
