use super::*;
use crate::env::fake::FakeClock;

#[test]
fn passes_the_store_contract() {
    let clock = Rc::new(FakeClock::at(1_700_000_000_000));
    let store = MemoryStore::new(clock.clone());
    let report = pollster::block_on(super::super::contract::run_all(&store, &store, &*clock));
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert!(report.passed >= 10);
}

#[test]
fn failing_store_reports_unavailable() {
    let store = MemoryStore::new(Rc::new(FakeClock::at(0)));
    store.set_failing(true);
    assert!(pollster::block_on(RecordStore::get(&store, "k")).is_err());
}
