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
    // Interleaved runs (so both see the same load on a shared machine), compared by
    // their medians. The band is wide on purpose and still fails if the dummy skipped
    // the hash (hundreds of times cheaper) or hashed twice (a ratio of 2).
    extern crate std;
    use std::time::Instant;
    let params = PasswordHashParams {
        memory_kib: 8192,
        iterations: 2,
        parallelism: 1,
    };
    let stored = hash_password("timing password", &params, None, &SeededRandom::new(1)).unwrap();
    let time = |f: &dyn Fn()| {
        #[allow(clippy::disallowed_methods)]
        let start = Instant::now();
        f();
        start.elapsed().as_micros()
    };
    let (mut real, mut dummy): (Vec<u128>, Vec<u128>) = (Vec::new(), Vec::new());
    for _ in 0..9 {
        real.push(time(&|| {
            let _ = verify_password("wrong password", &stored, &params, None);
        }));
        dummy.push(time(&|| dummy_verify("wrong password", &params, None)));
    }
    real.sort_unstable();
    dummy.sort_unstable();
    let ratio = dummy[4] as f64 / real[4] as f64;
    assert!(
        (0.55..=1.8).contains(&ratio),
        "dummy {dummy:?} µs, real {real:?} µs"
    );
}
