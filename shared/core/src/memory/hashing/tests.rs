use super::*;

#[test]
fn admits_up_to_capacity_and_frees_on_drop() {
    let gate = HashGate::new(2);
    let a = gate.try_acquire().unwrap();
    let b = gate.try_acquire().unwrap();
    assert!(gate.try_acquire().is_none());
    assert_eq!(gate.in_flight(), 2);
    drop(a);
    let c = gate.try_acquire().unwrap();
    drop((b, c));
    assert_eq!(gate.in_flight(), 0);
}

#[test]
fn a_saturated_isolate_answers_429_with_retry_after() {
    let gate = HashGate::new(CAPACITY);
    let held: std::vec::Vec<_> = (0..CAPACITY).map(|_| gate.admit().unwrap()).collect();
    let error = gate.admit().unwrap_err();
    assert_eq!(
        error,
        ApiError::RateLimited {
            retry_after_secs: 1
        }
    );
    drop(held);
    assert!(gate.admit().is_ok());
}

#[test]
fn a_zero_capacity_gate_admits_nothing() {
    assert!(HashGate::new(0).try_acquire().is_none());
}
