use super::*;
use crate::config::pages::{Brand, Rgb};
use crate::flows::pages::methods::ProviderButton;
use alloc::string::ToString;
use alloc::vec;

const HOSTILE: &str = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>&amp;";

fn pages_config(product: &str) -> PagesConfig {
    PagesConfig {
        product_name: product.to_string(),
        brand: Brand::new(Rgb(0xff, 0xeb, 0x3b)),
        return_to_paths: vec!["/account".to_string()],
    }
}

fn render_with(
    page: Page,
    product: &str,
    return_to: Option<&str>,
    methods: &SignInMethods,
) -> String {
    let pages = pages_config(product);
    render(
        page,
        &View {
            pages: &pages,
            password_min_length: 12,
            nonce: "n0nce_-A",
            return_to,
            methods,
            reauthenticate: false,
        },
    )
}

#[test]
fn every_page_is_a_complete_document_with_one_nonced_script_and_style() {
    for page in Page::ALL {
        let html = render_with(page, "Acme", None, &SignInMethods::default());
        assert!(
            html.starts_with("<!doctype html>\n<html lang=\"en\">"),
            "{page:?}"
        );
        assert!(html.ends_with("</html>\n"), "{page:?}");
        assert_eq!(html.matches("<script").count(), 1, "{page:?}");
        assert_eq!(html.matches("<style").count(), 1, "{page:?}");
        assert!(html.contains(&alloc::format!(
            "<script type=\"module\" nonce=\"n0nce_-A\" src=\"/assets/pages/{}.js\"></script>",
            page.slug()
        )));
        assert!(html.contains(
            "<style nonce=\"n0nce_-A\">:root{--brand:#ffeb3b;--on-brand:#000000}</style>"
        ));
        assert!(
            !html.contains(" style="),
            "{page:?}: no style attributes (CSP)"
        );
        let handler = html.match_indices(" on").any(|(at, _)| {
            let rest = &html[at + 3..];
            let name_len = rest.bytes().take_while(u8::is_ascii_lowercase).count();
            name_len > 0 && rest[name_len..].starts_with('=')
        });
        assert!(!handler, "{page:?}: no inline event handlers");
        assert!(html.contains("<main id=\"main\""), "{page:?}");
        assert_eq!(html.matches("<h1>").count(), 1, "{page:?}");
    }
}

#[test]
fn a_hostile_product_name_is_escaped_everywhere() {
    for page in Page::ALL {
        let html = render_with(page, HOSTILE, None, &SignInMethods::default());
        assert!(!html.contains("<script>alert"), "{page:?}");
        assert!(!html.contains("<img"), "{page:?}");
        assert!(html.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;&amp;amp;"
        ));
        assert_eq!(html.matches("<script").count(), 1, "{page:?}");
    }
}

#[test]
fn return_to_is_written_escaped_into_its_attribute_only() {
    let html = render_with(
        Page::SignIn,
        "Acme",
        Some("/account?a=1&b=\"x\""),
        &SignInMethods::default(),
    );
    assert!(html.contains("data-return-to=\"/account?a=1&amp;b=&quot;x&quot;\""));
    let none = render_with(Page::SignIn, "Acme", None, &SignInMethods::default());
    assert!(none.contains("data-return-to=\"\""));
}

#[test]
fn forms_carry_the_autocomplete_tokens_password_managers_read() {
    let no_methods = SignInMethods::default();
    let sign_in = render_with(Page::SignIn, "Acme", None, &no_methods);
    for token in [
        "autocomplete=\"username\"",
        "autocomplete=\"current-password\"",
        "autocomplete=\"one-time-code\"",
    ] {
        assert!(sign_in.contains(token), "sign-in: {token}");
    }
    assert!(sign_in.contains("<form id=\"password-form\" method=\"post\" action=\"/sign-in\">"));
    for page in [Page::SignUp, Page::ResetPassword] {
        let html = render_with(page, "Acme", None, &no_methods);
        assert_eq!(
            html.matches("autocomplete=\"new-password\"").count(),
            2,
            "{page:?}"
        );
        assert!(html.contains("minlength=\"12\""), "{page:?}");
    }
    let account = render_with(Page::Account, "Acme", None, &no_methods);
    for token in [
        "current-password",
        "new-password",
        "one-time-code",
        "username",
    ] {
        assert!(
            account.contains(&alloc::format!("autocomplete=\"{token}\"")),
            "account: {token}"
        );
    }
}

#[test]
fn every_visible_input_has_a_label() {
    for page in Page::ALL {
        let html = render_with(page, "Acme", None, &SignInMethods::default());
        for input in html.split("<input ").skip(1) {
            let tag = input.split('>').next().unwrap();
            let id = tag
                .split("id=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap();
            let hidden = tag.contains(" hidden");
            assert!(
                hidden || html.contains(&alloc::format!("<label for=\"{id}\">")),
                "{page:?}: #{id} has no label"
            );
        }
    }
}

#[test]
fn sign_in_renders_no_other_methods_section_when_none_is_enabled() {
    let html = render_with(Page::SignIn, "Acme", None, &SignInMethods::default());
    assert!(!html.contains("other-methods"));
    assert!(!html.contains("passkey"));
}

#[test]
fn sign_in_renders_enabled_providers_and_passkeys_escaped() {
    let methods = SignInMethods {
        providers: vec![
            ProviderButton {
                id: "acme".to_string(),
                label: HOSTILE.to_string(),
                start_path: "/auth/providers/acme/start".to_string(),
            },
            ProviderButton {
                id: "evil".to_string(),
                label: "Evil".to_string(),
                start_path: "https://evil.example/start".to_string(),
            },
        ],
        passkeys: true,
    };
    let html = render_with(Page::SignIn, "Acme", None, &methods);
    assert!(html.contains("<section id=\"other-methods\""));
    assert!(html.contains(
        "<a class=\"button provider\" data-provider=\"acme\" href=\"/auth/providers/acme/start\">Continue with &lt;script&gt;"
    ));
    assert!(
        !html.contains("evil.example"),
        "a start path off this origin is not rendered"
    );
    assert!(html.contains("id=\"passkey-sign-in\""));
    assert_eq!(html.matches("<script").count(), 1);
}

#[test]
fn the_security_alert_page_acts_only_through_its_confirmation_button() {
    let html = render_with(Page::SecurityAlert, "Acme", None, &SignInMethods::default());
    // The token is in the fragment; the server renders no token and nothing to submit
    // but the one button, whose form the script handles.
    assert!(html.contains(
        "<form id=\"not-me-form\" method=\"post\" action=\"/security-alert\">\n\
         <button type=\"submit\" class=\"primary\">Yes, secure my account</button>"
    ));
    assert_eq!(html.matches("<button type=\"submit\"").count(), 1);
    assert!(!html.contains("<input "), "nothing to fill in");
    // What it does, before; what happened and what next, after (hidden until then).
    assert!(html.contains("sign the account out on every device"));
    assert!(html.contains(
        "<div id=\"not-me-done\" class=\"notice\" role=\"status\" tabindex=\"-1\" hidden>"
    ));
    assert!(html.contains("<p class=\"error\" id=\"not-me-error\" role=\"alert\" hidden></p>"));
    assert!(html.contains("href=\"/forgot-password\""));
}
