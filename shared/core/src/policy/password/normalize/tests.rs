use super::*;

#[test]
fn fullwidth_letters_fold_to_ascii() {
    assert_eq!(normalize("ｐａｓｓｗｏｒｄ１２３"), "password123");
}

#[test]
fn decomposed_and_precomposed_accents_agree() {
    assert_eq!(normalize("cafe\u{301}"), normalize("caf\u{e9}"));
    assert_eq!(normalize("cafe\u{301}"), "caf\u{e9}");
}

#[test]
fn ligatures_expand() {
    assert_eq!(normalize("\u{FB03}"), "ffi");
}

#[test]
fn ascii_is_returned_unchanged() {
    assert_eq!(
        normalize("Tr0ub4dor&3 with spaces"),
        "Tr0ub4dor&3 with spaces"
    );
}

#[test]
fn normalising_twice_changes_nothing() {
    for input in ["ｐａｓｓ", "\u{2126}hm", "x\u{2075}", "e\u{301}\u{301}"] {
        let once = normalize(input);
        assert_eq!(normalize(&once), once);
    }
}
