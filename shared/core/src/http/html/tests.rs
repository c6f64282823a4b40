use super::*;
use proptest::prelude::*;

#[test]
fn escapes_the_five_characters_that_change_html_meaning() {
    assert_eq!(
        escape(r#"<script>alert("x")</script> & 'y'"#),
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
    );
    assert_eq!(escape("plain café"), "plain café");
}

#[test]
fn raw_markup_and_text_compose() {
    let mut html = Html::new();
    html.raw("<p title=\"")
        .text("a\"b")
        .raw("\">")
        .text("<b>")
        .raw("</p>");
    assert_eq!(html.as_str(), "<p title=\"a&quot;b\">&lt;b&gt;</p>");
}

#[test]
fn colours_and_numbers_are_written_as_such() {
    let mut html = Html::new();
    html.color(Rgb(0x1d, 0x4e, 0xd8)).raw(" ").number(12);
    assert_eq!(html.into_string(), "#1d4ed8 12");
}

proptest! {
    /// Escaped text never contains a character that could open a tag, end a quoted
    /// attribute or start a character reference of its own.
    #[test]
    fn escaped_text_cannot_leave_its_context(text in "\\PC*") {
        let escaped = escape(&text);
        prop_assert!(!escaped.contains(['<', '>', '"', '\'']));
        // Every `&` starts one of our references.
        for (at, _) in escaped.match_indices('&') {
            let rest = &escaped[at..];
            prop_assert!(["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].iter().any(|r| rest.starts_with(r)));
        }
    }
}
