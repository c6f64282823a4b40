//! The environment the core is given rather than reaching for: time and randomness
//! (signature verification, the third platform service, is
//! [`crate::crypto::signature`]).
//!
//! Security considerations: the core never reads a wall clock or an OS random source
//! directly (`clippy.toml` bans them). Adapters supply `Date.now()` / `getrandom` on
//! Workers and WASI clocks/random on Spin; tests supply fixed or stepping fakes. A
//! random source that fails makes the flow fail closed (`503`), never fall back to a
//! weaker source.

use core::fmt;

/// Milliseconds since the Unix epoch, from the platform.
pub trait Clock {
    /// The current time in milliseconds since 1970-01-01T00:00:00Z.
    fn now_ms(&self) -> u64;
}

/// The platform's cryptographically secure random source failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomError;

impl fmt::Display for RandomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the platform random source failed")
    }
}

/// A cryptographically secure random source (CSPRNG) supplied by the platform.
pub trait Random {
    /// Fills `buf` with random bytes.
    fn fill(&self, buf: &mut [u8]) -> Result<(), RandomError>;
}

/// Draws `N` random bytes.
pub fn random_array<const N: usize>(random: &impl Random) -> Result<[u8; N], RandomError> {
    let mut out = [0u8; N];
    random.fill(&mut out)?;
    Ok(out)
}

/// The platform's random source (`crypto.getRandomValues` on Workers, `wasi:random` on
/// Spin) through `getrandom`: what every adapter injects as its [`Random`]. Feature
/// `os-random`, which only adapters enable — the core draws no ambient randomness.
#[cfg(feature = "os-random")]
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

#[cfg(feature = "os-random")]
impl Random for OsRandom {
    #[allow(clippy::disallowed_methods)] // The one place ambient randomness enters.
    fn fill(&self, buf: &mut [u8]) -> Result<(), RandomError> {
        getrandom::fill(buf).map_err(|_| RandomError)
    }
}

/// Test doubles for the environment traits.
#[cfg(any(test, feature = "memory-store"))]
pub mod fake {
    use super::{Clock, Random, RandomError};
    use core::cell::Cell;

    /// A clock that only moves when told to.
    #[derive(Debug, Default)]
    pub struct FakeClock {
        now: Cell<u64>,
    }

    impl FakeClock {
        /// A clock stopped at `now_ms`.
        pub fn at(now_ms: u64) -> Self {
            Self {
                now: Cell::new(now_ms),
            }
        }
        /// Moves the clock forward.
        pub fn advance(&self, ms: u64) {
            self.now.set(self.now.get().saturating_add(ms));
        }
    }

    impl Clock for FakeClock {
        fn now_ms(&self) -> u64 {
            self.now.get()
        }
    }

    /// A deterministic, NOT secure generator (xorshift) for reproducible tests.
    #[derive(Debug)]
    pub struct SeededRandom {
        state: Cell<u64>,
    }

    impl SeededRandom {
        /// A generator started from `seed` (zero is replaced by a fixed constant).
        pub fn new(seed: u64) -> Self {
            Self {
                state: Cell::new(if seed == 0 {
                    0x9E37_79B9_7F4A_7C15
                } else {
                    seed
                }),
            }
        }
    }

    impl Random for SeededRandom {
        fn fill(&self, buf: &mut [u8]) -> Result<(), RandomError> {
            let mut x = self.state.get();
            for byte in buf.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *byte = (x >> 24) as u8;
            }
            self.state.set(x);
            Ok(())
        }
    }
}
