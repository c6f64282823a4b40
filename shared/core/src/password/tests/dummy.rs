//! The dummy verification for unknown accounts.

use super::*;

#[test]
fn dummy_verification_handles_any_input_without_panicking() {
    let keyed = pepper(b"0123456789abcdef");
    let empty = pepper(b"");
    let invalid = PasswordHashParams {
        memory_kib: 0,
        iterations: 0,
        parallelism: 0,
    };
    for password in ["", "pw", "ｐａｓｓ", "🔑"] {
        dummy_verify(password, &FAST, None);
        dummy_verify(password, &FAST, Some(&keyed));
        dummy_verify(password, &FAST, Some(&empty));
        dummy_verify(password, &invalid, None);
    }
}

#[test]
fn dummy_verification_costs_about_what_a_real_verification_costs() {
    // Medians of several runs on a shared machine; the band is wide on purpose, and
    // still fails if the dummy skipped the hash (~100x cheaper) or hashed twice.
    extern crate std;
    use std::time::Instant;
    let params = PasswordHashParams {
        memory_kib: 8192,
        iterations: 2,
        parallelism: 1,
    };
    let stored = hash_password("timing password", &params, None, &SeededRandom::new(1)).unwrap();
    let median = |f: &dyn Fn()| {
        let mut runs: Vec<u128> = (0..7)
            .map(|_| {
                #[allow(clippy::disallowed_methods)]
                let start = Instant::now();
                f();
                start.elapsed().as_micros()
            })
            .collect();
        runs.sort_unstable();
        runs[3] as f64
    };
    let real = median(&|| {
        let _ = verify_password("wrong password", &stored, &params, None);
    });
    let dummy = median(&|| dummy_verify("wrong password", &params, None));
    let ratio = dummy / real;
    assert!(
        (0.6..=1.6).contains(&ratio),
        "dummy {dummy} µs, real {real} µs"
    );
}
