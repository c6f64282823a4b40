use super::*;
use alloc::string::String;

fn lease(window: u64, first: u64, size: u64, valid_until_ms: u64) -> Lease {
    Lease {
        window,
        next: first + 1,
        last: first + size - 1,
        previous: 7,
        valid_until_ms,
        size,
        refill_started_ms: None,
    }
}

#[test]
fn positions_are_handed_out_in_order_within_the_window_and_life() {
    let leases = Leases::default();
    let key = String::from("k");
    leases.install(key.clone(), lease(3, 10, 4, 1_000));
    assert_eq!(leases.take(&key, 3, 0), Some((11, 7)));
    assert_eq!(leases.take(&key, 4, 0), None, "never for another window");
    assert_eq!(leases.take(&key, 3, 1_000), None, "never after its life");
    assert_eq!(leases.take(&key, 3, 999), Some((12, 7)));
    assert_eq!(leases.take(&key, 3, 999), Some((13, 7)));
    assert_eq!(leases.take(&key, 3, 999), None, "the block is used up");
}

#[test]
fn blocks_start_at_one_double_while_used_up_and_stop_at_the_cap() {
    let leases = Leases::default();
    let key = String::from("k");
    assert_eq!(leases.plan(&key, 0, 0, 8), Refill::Block(1));
    leases.install(key.clone(), lease(0, 1, 1, 10));
    let mut first = 2;
    let mut sizes = alloc::vec::Vec::new();
    for _ in 0..6 {
        // The previous block was used up within its life.
        let Refill::Block(size) = leases.plan(&key, 0, 0, 8) else {
            panic!("no refill in flight")
        };
        sizes.push(size);
        leases.install(key.clone(), lease(0, first, size, 10));
        for _ in 1..size {
            assert!(leases.take(&key, 0, 0).is_some());
        }
        first += size;
    }
    assert_eq!(sizes, [2, 4, 8, 8, 8, 8]);
}

#[test]
fn a_block_that_ends_unused_is_followed_by_one_of_the_size_it_used() {
    let leases = Leases::default();
    let key = String::from("k");
    leases.install(key.clone(), lease(0, 1, 8, 10));
    leases.take(&key, 0, 0);
    leases.take(&key, 0, 0);
    // Three of eight used; the window is over.
    assert_eq!(leases.plan(&key, 1, 20, 8), Refill::Block(3));
}

#[test]
fn a_refill_in_flight_makes_other_requests_take_one_position_each() {
    let leases = Leases::default();
    let key = String::from("k");
    leases.install(key.clone(), lease(0, 1, 4, 10_000));
    for _ in 0..3 {
        leases.take(&key, 0, 0);
    }
    assert_eq!(leases.plan(&key, 0, 100, 16), Refill::Block(8));
    assert_eq!(leases.plan(&key, 0, 150, 16), Refill::Single);
    assert_eq!(
        leases.plan(&key, 0, 100 + REFILL_TIMEOUT_MS, 16),
        Refill::Block(8),
        "a refill that never came back is abandoned after the timeout"
    );
    leases.abandon(&key);
    assert!(matches!(leases.plan(&key, 0, 200, 16), Refill::Block(_)));
}

#[test]
fn the_cap_is_a_thirty_second_of_the_limit_and_at_least_one() {
    assert_eq!(cap(600), 18);
    assert_eq!(cap(31), 1);
    assert_eq!(cap(1), 1);
    assert_eq!(cap(4_000_000_000), 125_000_000);
}
