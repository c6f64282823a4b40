use super::*;
use alloc::format;
use alloc::vec;

#[test]
fn debug_output_is_redacted() {
    let secret = Secret::new(vec![1, 2, 3]);
    assert_eq!(format!("{secret:?}"), "Secret([REDACTED])");
}

#[test]
fn equality_compares_contents() {
    assert_eq!(Secret::new(vec![1, 2]), Secret::new(vec![1, 2]));
    assert_ne!(Secret::new(vec![1, 2]), Secret::new(vec![1, 3]));
    assert!(!constant_time_eq(b"ab", b"abc"));
}
