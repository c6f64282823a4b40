use super::*;

#[test]
fn a_copy_is_trusted_for_refresh_ms_then_read_again() {
    let memory = KillSwitchMemory::default();
    assert_eq!(memory.fresh(1_000), None, "a new isolate reads the store");
    memory.remember(42, 1_000);
    assert_eq!(memory.fresh(1_000 + REFRESH_MS - 1), Some(42));
    assert_eq!(memory.fresh(1_000 + REFRESH_MS), None);
}
