use super::*;
use alloc::string::ToString;

fn some(text: &str) -> Option<String> {
    Some(text.to_string())
}

#[test]
fn defaults_when_unset() {
    let config = parse(None, None, None).unwrap();
    assert_eq!(config, PagesConfig::default());
    assert_eq!(config.product_name, "edgeauth");
    assert_eq!(config.brand.color, DEFAULT_BRAND_COLOR);
    assert_eq!(config.return_to_paths, ["/account", "/admin"]);
}

#[test]
fn brand_colors_are_hex_only() {
    assert_eq!(Rgb::parse_hex("#1D4ED8"), Some(Rgb(0x1d, 0x4e, 0xd8)));
    assert_eq!(Rgb::parse_hex("#fa0"), Some(Rgb(0xff, 0xaa, 0x00)));
    for bad in [
        "1d4ed8",
        "#1d4ed",
        "#1d4ed8f",
        "#ggg",
        "red",
        "#fff;}body{x:y",
        "#+1+2+3",
        "# 12345",
        "",
        "#",
    ] {
        assert_eq!(Rgb::parse_hex(bad), None, "{bad}");
        assert_eq!(
            parse(None, some(bad), None),
            Err(PagesError::BrandColor),
            "{bad}"
        );
    }
}

#[test]
fn the_text_colour_on_the_brand_always_meets_wcag_aa() {
    // Every colour on a 16-step grid: black or white always reaches 4.5:1.
    for r in (0..=255u16).step_by(17) {
        for g in (0..=255u16).step_by(17) {
            for b in (0..=255u16).step_by(17) {
                let color = Rgb(r as u8, g as u8, b as u8);
                let brand = Brand::new(color);
                assert!(
                    color.contrast(&brand.foreground) >= 4.5,
                    "{} on {}",
                    brand.foreground.hex(),
                    color.hex()
                );
            }
        }
    }
    assert_eq!(Brand::new(Rgb(0xff, 0xeb, 0x3b)).foreground, Rgb(0, 0, 0));
    assert_eq!(
        Brand::new(DEFAULT_BRAND_COLOR).foreground,
        Rgb(255, 255, 255)
    );
}

#[test]
fn contrast_matches_the_wcag_reference_values() {
    let white = Rgb(255, 255, 255);
    let black = Rgb(0, 0, 0);
    assert!((white.contrast(&black) - 21.0).abs() < 1e-9);
    // #777777 on white is 4.48:1 (the classic just-fails-AA grey).
    let grey = Rgb(0x77, 0x77, 0x77);
    assert!(
        (grey.contrast(&white) - 4.48).abs() < 0.01,
        "{}",
        grey.contrast(&white)
    );
}

#[test]
fn product_names_are_trimmed_bounded_and_free_of_control_characters() {
    let config = parse(some("  Acme <Cloud> & \"Co\"  "), None, None).unwrap();
    assert_eq!(config.product_name, "Acme <Cloud> & \"Co\"");
    for bad in ["", "   ", "line\nbreak", "tab\there", "bell\u{7}"] {
        assert_eq!(
            parse(some(bad), None, None),
            Err(PagesError::ProductName),
            "{bad:?}"
        );
    }
    let long: String = core::iter::repeat_n('é', MAX_PRODUCT_NAME_CHARS + 1).collect();
    assert_eq!(parse(Some(long), None, None), Err(PagesError::ProductName));
}

#[test]
fn return_to_entries_must_be_plain_paths() {
    let config = parse(None, None, some(" /account , /example/ ,,")).unwrap();
    assert_eq!(config.return_to_paths, ["/account", "/example/"]);
    for bad in [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "account",
        "/a/../b",
        "/a/./b",
        "/a//b",
        "/%2F%2Fevil",
        "/a?b=c",
        "/a#b",
        "/café",
        "/a b",
    ] {
        assert!(!is_plain_path(bad), "{bad}");
        assert_eq!(
            parse(None, None, some(bad)),
            Err(PagesError::ReturnToPaths),
            "{bad}"
        );
    }
    for good in ["/", "/account", "/example/", "/a-b/c_d/~e", "/x:y@z"] {
        assert!(is_plain_path(good), "{good}");
    }
}

#[test]
fn the_default_brand_stands_out_from_both_themes_backgrounds() {
    let light = DEFAULT_BRAND_COLOR.contrast(&Rgb(0xff, 0xff, 0xff));
    let dark = DEFAULT_BRAND_COLOR.contrast(&Rgb(0x12, 0x12, 0x12));
    assert!(light >= 3.0 && dark >= 3.0, "{light:.2} / {dark:.2}");
}
