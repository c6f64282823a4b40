//! The hosted pages' HTML: one layout and the body of each page.
//!
//! Every page is a real document before any script runs: labelled fields inside
//! `<form method="post">` elements with the autocomplete tokens password managers
//! read (`username`, `current-password`, `new-password`, `one-time-code`), headings,
//! and regions the page script fills (`role="status"` / `role="alert"`). The script
//! of each page (`/assets/pages/<page>.js`) submits the forms through `clients/js`.
//! Without JavaScript a `<noscript>` says that the page needs it (the forms post to
//! the page itself, which answers `405`: never a credential in a URL).
//!
//! Security considerations: dynamic values go through [`Html::text`] only (see
//! [`crate::http::html`]); the one `<style>` and the one `<script>` carry the
//! response's nonce; `data-return-to` holds a value already validated by
//! [`crate::policy::return_to`], or nothing.

use alloc::string::String;

use super::methods::SignInMethods;
use crate::config::pages::is_plain_path;
use crate::config::PagesConfig;
use crate::http::html::Html;

/// A hosted page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// `/sign-in`: password, then the second factor.
    SignIn,
    /// `/sign-up`: registration.
    SignUp,
    /// `/verify-email#token=…`: the landing of the verification mail.
    VerifyEmail,
    /// `/forgot-password`: asks for a reset mail.
    ForgotPassword,
    /// `/reset-password#token=…`: the landing of the reset mail.
    ResetPassword,
    /// `/security-alert#token=…`: the "this wasn't me" link of a security notice.
    SecurityAlert,
    /// `/account`: the signed-in user's security settings.
    Account,
    /// `/admin`: users, audit log, kill switch (admins; auditors see the audit log).
    Admin,
    /// `/consent?request=…`: an application asks for access (the OAuth provider).
    Consent,
}

impl Page {
    /// Every page, in the order of the route table.
    pub const ALL: [Self; 9] = [
        Self::SignIn,
        Self::SignUp,
        Self::VerifyEmail,
        Self::ForgotPassword,
        Self::ResetPassword,
        Self::SecurityAlert,
        Self::Account,
        Self::Admin,
        Self::Consent,
    ];

    /// The page's path, and the name of its script under `/assets/pages/`.
    pub const fn slug(self) -> &'static str {
        match self {
            Self::SignIn => "sign-in",
            Self::SignUp => "sign-up",
            Self::VerifyEmail => "verify-email",
            Self::ForgotPassword => "forgot-password",
            Self::ResetPassword => "reset-password",
            Self::SecurityAlert => "security-alert",
            Self::Account => "account",
            Self::Admin => "admin",
            Self::Consent => "consent",
        }
    }

    /// The document title (before the product name).
    pub const fn title(self) -> &'static str {
        match self {
            Self::SignIn => "Sign in",
            Self::SignUp => "Create an account",
            Self::VerifyEmail => "Verify your email",
            Self::ForgotPassword => "Forgot your password",
            Self::ResetPassword => "Choose a new password",
            Self::SecurityAlert => "Secure your account",
            Self::Account => "Account security",
            Self::Admin => "Administration",
            Self::Consent => "Allow access",
        }
    }
}

/// What a page is rendered with.
#[derive(Debug)]
pub struct View<'a> {
    /// The pages' configuration (product name, colour).
    pub pages: &'a PagesConfig,
    /// `PASSWORD_MIN_LENGTH`, for the new-password hints.
    pub password_min_length: usize,
    /// This response's CSP nonce.
    pub nonce: &'a str,
    /// The validated `return_to`, if the request carried an allowed one.
    pub return_to: Option<&'a str>,
    /// The sign-in methods besides the password.
    pub methods: &'a SignInMethods,
    /// The sign-in must be repeated even when a session exists (an OAuth client's
    /// `prompt=login` or `max_age`).
    pub reauthenticate: bool,
}

/// The whole document of `page`.
pub fn render(page: Page, view: &View<'_>) -> String {
    let mut html = Html::new();
    head(&mut html, page, view);
    match page {
        Page::SignIn => sign_in(&mut html, view),
        Page::SignUp => sign_up(&mut html, view),
        Page::VerifyEmail => verify_email(&mut html),
        Page::ForgotPassword => forgot_password(&mut html),
        Page::ResetPassword => reset_password(&mut html, view),
        Page::SecurityAlert => security_alert(&mut html),
        Page::Account => account(&mut html, view),
        Page::Admin => admin(&mut html),
        Page::Consent => consent(&mut html),
    }
    foot(&mut html);
    html.into_string()
}

fn head(html: &mut Html, page: Page, view: &View<'_>) {
    let product = view.pages.product_name.as_str();
    html.raw(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n<title>",
    )
    .raw(page.title())
    .raw(" · ")
    .text(product)
    .raw(
        "</title>\n<link rel=\"icon\" href=\"/assets/icon.svg\" type=\"image/svg+xml\">\n\
         <link rel=\"stylesheet\" href=\"/assets/pages.css\">\n<style nonce=\"",
    )
    .text(view.nonce)
    .raw("\">:root{--brand:")
    .color(view.pages.brand.color)
    .raw(";--on-brand:")
    .color(view.pages.brand.foreground)
    .raw("}</style>\n<script type=\"module\" nonce=\"")
    .text(view.nonce)
    .raw("\" src=\"/assets/pages/")
    .raw(page.slug())
    .raw(".js\"></script>\n</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n")
    .raw("<header class=\"bar\">\n<span class=\"product\">")
    .text(product)
    .raw(
        "</span>\n<nav id=\"nav\" aria-label=\"Account\" hidden>\n<ul>\n\
         <li><a href=\"/account\">Account</a></li>\n\
         <li id=\"nav-admin\" hidden><a href=\"/admin\">Administration</a></li>\n\
         <li><button type=\"button\" id=\"sign-out\" class=\"link\">Sign out</button></li>\n\
         </ul>\n</nav>\n</header>\n<main id=\"main\" tabindex=\"-1\" data-page=\"",
    )
    .raw(page.slug())
    .raw("\" data-return-to=\"")
    .text(view.return_to.unwrap_or(""))
    .raw(if view.reauthenticate {
        "\" data-reauthenticate=\"true"
    } else {
        ""
    })
    .raw("\">\n<noscript><p class=\"error\">This page needs JavaScript.</p></noscript>\n");
}

fn foot(html: &mut Html) {
    html.raw("</main>\n</body>\n</html>\n");
}

/// A labelled input. `extra` is further attributes written in the source.
fn field(
    html: &mut Html,
    id: &'static str,
    label: &'static str,
    input_type: &'static str,
    autocomplete: &'static str,
    extra: &'static str,
) {
    html.raw("<div class=\"field\">\n<label for=\"")
        .raw(id)
        .raw("\">")
        .raw(label)
        .raw("</label>\n<input id=\"")
        .raw(id)
        .raw("\" name=\"")
        .raw(id)
        .raw("\" type=\"")
        .raw(input_type)
        .raw("\" autocomplete=\"")
        .raw(autocomplete)
        .raw("\" ")
        .raw(extra)
        .raw(">\n</div>\n");
}

const EMAIL_EXTRA: &str =
    "required maxlength=\"254\" spellcheck=\"false\" autocapitalize=\"off\" inputmode=\"email\"";

/// A region for a form's error (announced when filled).
fn error_region(html: &mut Html, id: &'static str) {
    html.raw("<p class=\"error\" id=\"")
        .raw(id)
        .raw("\" role=\"alert\" hidden></p>\n");
}

/// A new-password pair with the policy hint.
fn new_password_fields(html: &mut Html, view: &View<'_>, id: &'static str, confirm: &'static str) {
    html.raw("<div class=\"field\">\n<label for=\"")
        .raw(id)
        .raw("\">New password</label>\n<input id=\"")
        .raw(id)
        .raw("\" name=\"")
        .raw(id)
        .raw("\" type=\"password\" autocomplete=\"new-password\" required minlength=\"")
        .number(view.password_min_length as u64)
        .raw("\" maxlength=\"256\" aria-describedby=\"")
        .raw(id)
        .raw("-hint\">\n<p class=\"hint\" id=\"")
        .raw(id)
        .raw("-hint\">At least ")
        .number(view.password_min_length as u64)
        .raw(" characters. A passphrase of several words works well; common passwords are refused.</p>\n</div>\n");
    field(
        html,
        confirm,
        "Repeat the new password",
        "password",
        "new-password",
        "required maxlength=\"256\"",
    );
}

fn sign_in(html: &mut Html, view: &View<'_>) {
    html.raw("<h1>Sign in to ")
        .text(&view.pages.product_name)
        .raw("</h1>\n<p class=\"notice\" id=\"notice\" role=\"status\" hidden></p>\n")
        .raw("<form id=\"password-form\" method=\"post\" action=\"/sign-in\">\n");
    // `webauthn`: the browser may offer the user's passkeys in this field's autofill
    // (conditional mediation, started by the page script).
    let username = if view.methods.passkeys {
        "username webauthn"
    } else {
        "username"
    };
    field(html, "email", "Email", "email", username, EMAIL_EXTRA);
    field(
        html,
        "password",
        "Password",
        "password",
        "current-password",
        "required maxlength=\"256\"",
    );
    error_region(html, "password-error");
    html.raw("<button type=\"submit\" class=\"primary\">Sign in</button>\n</form>\n")
        .raw(
            "<form id=\"mfa-form\" method=\"post\" action=\"/sign-in\" hidden>\n\
             <h2 id=\"mfa-title\" tabindex=\"-1\">Two-step verification</h2>\n\
             <div class=\"field\" id=\"code-field\">\n<label for=\"code\">Code from your authenticator app</label>\n\
             <input id=\"code\" name=\"code\" type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" \
             pattern=\"[0-9]{6}\" maxlength=\"6\" spellcheck=\"false\" aria-describedby=\"code-hint\">\n\
             <p class=\"hint\" id=\"code-hint\">6 digits.</p>\n</div>\n\
             <div class=\"field\" id=\"recovery-field\" hidden>\n<label for=\"recovery-code\">Recovery code</label>\n\
             <input id=\"recovery-code\" name=\"recovery_code\" type=\"text\" autocomplete=\"off\" \
             spellcheck=\"false\" autocapitalize=\"off\" maxlength=\"64\">\n</div>\n",
        );
    error_region(html, "mfa-error");
    html.raw(
        "<button type=\"submit\" class=\"primary\">Verify</button>\n\
         <button type=\"button\" class=\"link\" id=\"use-recovery\" aria-controls=\"code-field recovery-field\">\
         Use a recovery code instead</button>\n",
    );
    if view.methods.passkeys {
        html.raw(
            "<button type=\"button\" class=\"secondary\" id=\"mfa-passkey\">Use a passkey instead</button>\n",
        );
    }
    html.raw("</form>\n");
    other_methods(html, view);
    html.raw(
        "<p class=\"links\"><a href=\"/forgot-password\">Forgot your password?</a>\n\
         <a href=\"/sign-up\">Create an account</a></p>\n",
    );
}

/// The extension point of [`super::methods`]: providers and passkeys, when enabled.
fn other_methods(html: &mut Html, view: &View<'_>) {
    let providers: alloc::vec::Vec<_> = view
        .methods
        .providers
        .iter()
        .filter(|provider| is_plain_path(&provider.start_path))
        .collect();
    if providers.is_empty() && !view.methods.passkeys {
        return;
    }
    html.raw(
        "<section id=\"other-methods\" aria-labelledby=\"other-methods-title\">\n\
         <h2 id=\"other-methods-title\" class=\"divider\">Other ways to sign in</h2>\n",
    );
    if !providers.is_empty() {
        html.raw("<ul class=\"providers\">\n");
        for provider in providers {
            html.raw("<li><a class=\"button provider\" data-provider=\"")
                .text(&provider.id)
                .raw("\" href=\"")
                .text(&provider.start_path)
                .raw("\">Continue with ")
                .text(&provider.label)
                .raw("</a></li>\n");
        }
        html.raw("</ul>\n");
    }
    if view.methods.passkeys {
        html.raw(
            "<button type=\"button\" class=\"secondary\" id=\"passkey-sign-in\">Sign in with a passkey</button>\n",
        );
        error_region(html, "passkey-error");
    }
    html.raw("</section>\n");
}

fn sign_up(html: &mut Html, view: &View<'_>) {
    html.raw("<h1>Create your ")
        .text(&view.pages.product_name)
        .raw(" account</h1>\n<form id=\"sign-up-form\" method=\"post\" action=\"/sign-up\">\n");
    field(html, "email", "Email", "email", "username", EMAIL_EXTRA);
    new_password_fields(html, view, "password", "password-repeat");
    error_region(html, "sign-up-error");
    html.raw(
        "<button type=\"submit\" class=\"primary\">Create account</button>\n</form>\n\
         <div id=\"sign-up-done\" class=\"notice\" role=\"status\" tabindex=\"-1\" hidden>\n\
         <h2>Check your inbox</h2>\n<p>If the address can receive mail, a message with a \
         link to confirm it is on its way. The link works once and expires.</p>\n</div>\n\
         <p class=\"links\"><a href=\"/sign-in\">Already have an account? Sign in</a></p>\n",
    );
}

fn verify_email(html: &mut Html) {
    html.raw(
        "<h1>Verify your email</h1>\n\
         <p id=\"verify-status\" role=\"status\">Verifying your email address…</p>\n",
    );
    error_region(html, "verify-error");
    html.raw("<p class=\"links\"><a id=\"to-sign-in\" href=\"/sign-in\">Go to sign in</a></p>\n");
}

fn forgot_password(html: &mut Html) {
    html.raw(
        "<h1>Forgot your password?</h1>\n<p>Enter your email address and we will send you \
         a link to choose a new password.</p>\n\
         <form id=\"forgot-form\" method=\"post\" action=\"/forgot-password\">\n",
    );
    field(html, "email", "Email", "email", "username", EMAIL_EXTRA);
    error_region(html, "forgot-error");
    html.raw(
        "<button type=\"submit\" class=\"primary\">Send the link</button>\n</form>\n\
         <div id=\"forgot-done\" class=\"notice\" role=\"status\" tabindex=\"-1\" hidden>\n\
         <h2>Check your inbox</h2>\n<p>If an account exists for that address, a link to \
         reset the password is on its way. It works once and expires in 30 minutes.</p>\n</div>\n\
         <p class=\"links\"><a href=\"/sign-in\">Back to sign in</a></p>\n",
    );
}

fn reset_password(html: &mut Html, view: &View<'_>) {
    html.raw(
        "<h1>Choose a new password</h1>\n\
         <form id=\"reset-form\" method=\"post\" action=\"/reset-password\">\n",
    );
    // A hidden username field (filled by the script) lets password managers file the
    // new password under the right account.
    html.raw(
        "<input type=\"email\" id=\"reset-username\" name=\"username\" autocomplete=\"username\" \
         hidden>\n",
    );
    new_password_fields(html, view, "password", "password-repeat");
    error_region(html, "reset-error");
    html.raw(
        "<button type=\"submit\" class=\"primary\">Set the new password</button>\n</form>\n\
         <div id=\"reset-done\" class=\"notice\" role=\"status\" tabindex=\"-1\" hidden>\n\
         <h2>Password changed</h2>\n<p>Every session of the account has been signed out. \
         <a href=\"/sign-in\">Sign in</a> with the new password.</p>\n</div>\n\
         <p class=\"links\"><a href=\"/forgot-password\">Ask for a new link</a>\n\
         <a href=\"/sign-in\">Back to sign in</a></p>\n",
    );
}

/// The "this wasn't me" landing: what the button does, the button (the token alone
/// never acts: a mail scanner that opens the link changes nothing), then what
/// happened and what to do next.
fn security_alert(html: &mut Html) {
    html.raw(
        "<h1>Secure your account</h1>\n\
         <div id=\"not-me-confirm\">\n\
         <p>You opened the “this wasn’t me” link of a security notice \
         we mailed you. If you did not do what the notice describes, someone else may be \
         using your account. Securing it will:</p>\n\
         <ul>\n<li>sign the account out on every device;</li>\n\
         <li>stop the current password from working;</li>\n\
         <li>send you a link to choose a new password.</li>\n</ul>\n\
         <form id=\"not-me-form\" method=\"post\" action=\"/security-alert\">\n\
         <button type=\"submit\" class=\"primary\">Yes, secure my account</button>\n</form>\n\
         <p>If it was you, there is nothing to do: close this page.</p>\n</div>\n",
    );
    error_region(html, "not-me-error");
    html.raw(
        "<div id=\"not-me-done\" class=\"notice\" role=\"status\" tabindex=\"-1\" hidden>\n\
         <h2>Your account is secured</h2>\n<p id=\"not-me-sessions\"></p>\n\
         <p>The password no longer works. What to do next:</p>\n<ol>\n\
         <li>Open the mail we just sent you and choose a new password with its link (it \
         works once, for 30 minutes).</li>\n\
         <li>If you used that password anywhere else, change it there too.</li>\n\
         <li>Once signed in, look at the account’s recent activity and turn on \
         two-step verification.</li>\n</ol>\n</div>\n\
         <p class=\"links\"><a href=\"/forgot-password\">No mail? Ask for a new reset link</a>\n\
         <a href=\"/sign-in\">Go to sign in</a></p>\n",
    );
}

fn account(html: &mut Html, view: &View<'_>) {
    html.raw(
        "<h1>Account security</h1>\n\
         <p id=\"loading\" role=\"status\">Loading your account…</p>\n",
    );
    error_region(html, "account-error");
    html.raw(
        "<div id=\"account\" hidden>\n\
         <section aria-labelledby=\"profile-title\">\n<h2 id=\"profile-title\">Profile</h2>\n\
         <dl class=\"facts\">\n\
         <dt>Email</dt><dd id=\"profile-email\"></dd>\n\
         <dt>Email verified</dt><dd id=\"profile-verified\"></dd>\n\
         <dt>Roles</dt><dd id=\"profile-roles\"></dd>\n\
         <dt>Two-step verification</dt><dd id=\"profile-mfa\"></dd>\n\
         <dt>Member since</dt><dd id=\"profile-created\"></dd>\n\
         </dl>\n</section>\n",
    );

    html.raw(
        "<section aria-labelledby=\"password-title\">\n<h2 id=\"password-title\">Change password</h2>\n\
         <form id=\"password-form\" method=\"post\" action=\"/account\">\n\
         <input type=\"email\" id=\"password-username\" name=\"username\" autocomplete=\"username\" \
         hidden>\n",
    );
    field(
        html,
        "current-password",
        "Current password",
        "password",
        "current-password",
        "required maxlength=\"256\"",
    );
    new_password_fields(html, view, "new-password", "new-password-repeat");
    error_region(html, "password-error");
    html.raw(
        "<p class=\"notice\" id=\"password-done\" role=\"status\" hidden>Password changed. \
         Your other sessions were signed out.</p>\n\
         <button type=\"submit\" class=\"primary\">Change password</button>\n</form>\n</section>\n",
    );

    html.raw(
        "<section aria-labelledby=\"mfa-title\">\n<h2 id=\"mfa-title\">Two-step verification</h2>\n\
         <div id=\"mfa-off\" hidden>\n<p>Protect your account with a code from an \
         authenticator app each time you sign in.</p>\n\
         <button type=\"button\" class=\"primary\" id=\"mfa-start\">Set up an authenticator app</button>\n</div>\n\
         <div id=\"mfa-setup\" hidden>\n<p>Scan this code with your authenticator app, or \
         enter the key by hand.</p>\n\
         <figure class=\"qr\">\n<div id=\"mfa-qr\"></div>\n\
         <figcaption>Key: <code id=\"mfa-secret\" class=\"secret\"></code></figcaption>\n</figure>\n\
         <form id=\"mfa-confirm-form\" method=\"post\" action=\"/account\">\n\
         <div class=\"field\">\n<label for=\"mfa-code\">Code from the app</label>\n\
         <input id=\"mfa-code\" name=\"code\" type=\"text\" inputmode=\"numeric\" \
         autocomplete=\"one-time-code\" pattern=\"[0-9]{6}\" maxlength=\"6\" required spellcheck=\"false\">\n\
         </div>\n",
    );
    error_region(html, "mfa-confirm-error");
    html.raw(
        "<button type=\"submit\" class=\"primary\">Turn on</button>\n</form>\n</div>\n\
         <div id=\"mfa-recovery\" hidden tabindex=\"-1\">\n<h3>Your recovery codes</h3>\n\
         <p>Each code signs you in once if you lose your authenticator. They are shown \
         only now: save them somewhere safe.</p>\n\
         <ol id=\"recovery-codes\" class=\"codes\"></ol>\n\
         <button type=\"button\" class=\"secondary\" id=\"recovery-download\">Download the codes</button>\n\
         <button type=\"button\" class=\"primary\" id=\"recovery-done\">I have saved them</button>\n</div>\n\
         <div id=\"mfa-on\" hidden>\n<p>Two-step verification is on.</p>\n\
         <form id=\"mfa-disable-form\" method=\"post\" action=\"/account\">\n\
         <input type=\"email\" id=\"mfa-username\" name=\"username\" autocomplete=\"username\" \
         hidden>\n",
    );
    field(
        html,
        "mfa-password",
        "Password, to turn it off",
        "password",
        "current-password",
        "required maxlength=\"256\"",
    );
    error_region(html, "mfa-disable-error");
    html.raw(
        "<button type=\"submit\" class=\"danger\">Turn off two-step verification</button>\n\
         </form>\n</div>\n</section>\n",
    );

    if view.methods.passkeys {
        passkeys_section(html);
    }

    // Sign-in methods: linked provider accounts, and the providers that can be linked
    // (filled in by the script from `GET /api/me/identities`).
    html.raw(
        "<section aria-labelledby=\"methods-title\">\n<h2 id=\"methods-title\" tabindex=\"-1\">Sign-in methods</h2>\n\
         <p id=\"methods-password\" class=\"meta\"></p>\n\
         <ul id=\"identities\" class=\"rows\"></ul>\n\
         <div id=\"link-providers\" class=\"providers\"></div>\n\
         <p class=\"notice\" id=\"methods-done\" role=\"status\" hidden></p>\n",
    );
    error_region(html, "methods-error");
    html.raw("</section>\n");

    html.raw(
        "<section aria-labelledby=\"sessions-title\">\n<h2 id=\"sessions-title\">Where you are signed in</h2>\n\
         <ul id=\"sessions\" class=\"rows\"></ul>\n",
    );
    error_region(html, "sessions-error");
    html.raw(
        "<button type=\"button\" class=\"secondary\" id=\"sign-out-everywhere\">Sign out everywhere</button>\n\
         </section>\n\
         <section aria-labelledby=\"apps-title\">\n<h2 id=\"apps-title\">Connected apps</h2>\n\
         <p id=\"apps-empty\" hidden>No application has access to your account.</p>\n\
         <ul id=\"apps\" class=\"rows\"></ul>\n\
         <p class=\"error\" id=\"apps-error\" role=\"alert\" hidden></p>\n\
         </section>\n\
         <section aria-labelledby=\"activity-title\">\n<h2 id=\"activity-title\">Recent activity</h2>\n\
         <div class=\"scroll\" role=\"region\" aria-labelledby=\"activity-title\" tabindex=\"0\">\n\
         <table id=\"activity\">\n<thead><tr><th scope=\"col\">When</th><th scope=\"col\">Event</th>\
         <th scope=\"col\">Address</th><th scope=\"col\">Device</th></tr></thead>\n<tbody></tbody>\n\
         </table>\n</div>\n</section>\n\
         <section aria-labelledby=\"consents-title\">\n<h2 id=\"consents-title\">Consents</h2>\n\
         <form id=\"consents-form\" method=\"post\" action=\"/account\">\n<fieldset>\n\
         <legend>What we may use your data for</legend>\n\
         <div class=\"check\"><input type=\"checkbox\" id=\"consent-product_updates\" name=\"product_updates\">\
         <label for=\"consent-product_updates\">Product updates by email</label></div>\n\
         <div class=\"check\"><input type=\"checkbox\" id=\"consent-marketing_email\" name=\"marketing_email\">\
         <label for=\"consent-marketing_email\">Marketing email</label></div>\n\
         <div class=\"check\"><input type=\"checkbox\" id=\"consent-analytics\" name=\"analytics\">\
         <label for=\"consent-analytics\">Usage analytics</label></div>\n\
         </fieldset>\n",
    );
    error_region(html, "consents-error");
    html.raw(
        "<p class=\"notice\" id=\"consents-done\" role=\"status\" hidden>Saved.</p>\n\
         <button type=\"submit\" class=\"secondary\">Save consents</button>\n</form>\n</section>\n\
         <section aria-labelledby=\"export-title\">\n<h2 id=\"export-title\">Your data</h2>\n\
         <p>Download everything held about you, as JSON.</p>\n\
         <button type=\"button\" class=\"secondary\" id=\"export\">Download my data</button>\n",
    );
    error_region(html, "export-error");
    html.raw(
        "</section>\n\
         <section aria-labelledby=\"delete-title\" class=\"danger-zone\">\n\
         <h2 id=\"delete-title\">Delete account</h2>\n\
         <p>This erases your account, sessions, documents and consents. It cannot be undone.</p>\n\
         <form id=\"delete-form\" method=\"post\" action=\"/account\">\n\
         <input type=\"email\" id=\"delete-username\" name=\"username\" autocomplete=\"username\" \
         hidden>\n",
    );
    field(
        html,
        "delete-password",
        "Password",
        "password",
        "current-password",
        "required maxlength=\"256\"",
    );
    html.raw(
        "<div class=\"check\"><input type=\"checkbox\" id=\"delete-confirm\" name=\"confirm\" required>\
         <label for=\"delete-confirm\">I understand that my account and data will be erased</label></div>\n",
    );
    error_region(html, "delete-error");
    html.raw(
        "<button type=\"submit\" class=\"danger\">Delete my account</button>\n</form>\n</section>\n</div>\n",
    );
}

fn consent(html: &mut Html) {
    html.raw("<h1>Allow access</h1>\n<p id=\"loading\" role=\"status\">Loading the request…</p>\n");
    error_region(html, "consent-error");
    html.raw(
        "<div id=\"consent\" hidden>\n\
         <p class=\"lead\"><strong id=\"client-name\"></strong> wants to access your account.</p>\n\
         <p class=\"notice warning\" id=\"client-unverified\" hidden>This application registered \
         itself. Nobody has checked who runs it: allow it only if you started this sign-in.</p>\n\
         <dl class=\"facts\">\n<dt>After you answer, you go to</dt><dd id=\"client-redirect\"></dd>\n\
         <dt>Application id</dt><dd><code id=\"client-id\"></code></dd>\n</dl>\n\
         <section aria-labelledby=\"scopes-title\">\n<h2 id=\"scopes-title\">It will be able to</h2>\n\
         <ul id=\"scopes\" class=\"rows\"></ul>\n</section>\n\
         <section id=\"resources-section\" aria-labelledby=\"resources-title\" hidden>\n\
         <h2 id=\"resources-title\">At these services</h2>\n\
         <ul id=\"resources\" class=\"rows\"></ul>\n</section>\n\
         <form id=\"consent-form\" method=\"post\" action=\"/consent\">\n\
         <p class=\"hint\">You can take this back at any time on your account page, under \
         Connected apps.</p>\n\
         <button type=\"submit\" class=\"primary\" id=\"allow\" value=\"allow\">Allow</button>\n\
         <button type=\"button\" class=\"secondary\" id=\"deny\">Deny</button>\n</form>\n</div>\n",
    );
}

/// The account page's passkeys: the list (filled by the script), adding one, and the
/// confirmation adding or removing one asks for when the sign-in is not recent.
fn passkeys_section(html: &mut Html) {
    html.raw(
        "<section aria-labelledby=\"passkeys-title\" id=\"passkeys-section\">\n\
         <h2 id=\"passkeys-title\" tabindex=\"-1\">Passkeys</h2>\n\
         <p>Sign in with your device's fingerprint, face or screen lock instead of a \
         password. Passkeys cannot be phished or reused on another site.</p>\n\
         <ul id=\"passkeys\" class=\"rows\"></ul>\n\
         <p id=\"passkeys-empty\" hidden>You have no passkeys yet.</p>\n",
    );
    error_region(html, "passkeys-error");
    html.raw(
        "<p class=\"notice\" id=\"passkeys-done\" role=\"status\" hidden></p>\n\
         <form id=\"passkey-add-form\" method=\"post\" action=\"/account\">\n",
    );
    field(
        html,
        "passkey-name",
        "Name for the new passkey (optional)",
        "text",
        "off",
        "maxlength=\"64\" spellcheck=\"false\"",
    );
    html.raw(
        "<button type=\"submit\" class=\"primary\">Add a passkey</button>\n</form>\n\
         <form id=\"reauth-form\" method=\"post\" action=\"/account\" hidden>\n\
         <h3 id=\"reauth-title\" tabindex=\"-1\">Confirm it is you</h3>\n\
         <p>Adding or removing a passkey needs a recent sign-in. Enter your password, or \
         use one of your passkeys.</p>\n\
         <input type=\"email\" id=\"reauth-username\" name=\"username\" autocomplete=\"username\" \
         hidden>\n",
    );
    field(
        html,
        "reauth-password",
        "Password",
        "password",
        "current-password",
        "maxlength=\"256\"",
    );
    error_region(html, "reauth-error");
    html.raw(
        "<button type=\"submit\" class=\"primary\">Confirm</button>\n\
         <button type=\"button\" class=\"secondary\" id=\"reauth-passkey\">Use a passkey</button>\n\
         <button type=\"button\" class=\"link\" id=\"reauth-cancel\">Cancel</button>\n</form>\n\
         </section>\n",
    );
}

fn admin(html: &mut Html) {
    html.raw("<h1>Administration</h1>\n<p id=\"loading\" role=\"status\">Loading…</p>\n");
    error_region(html, "admin-error");
    html.raw(
        "<div id=\"admin\" hidden>\n\
         <section id=\"users-section\" aria-labelledby=\"users-title\" hidden>\n\
         <h2 id=\"users-title\">Users</h2>\n\
         <div class=\"scroll\" role=\"region\" aria-labelledby=\"users-title\" tabindex=\"0\">\n\
         <table id=\"users\">\n<thead><tr><th scope=\"col\">Email</th><th scope=\"col\">Roles</th>\
         <th scope=\"col\">Status</th><th scope=\"col\">Two-step</th><th scope=\"col\">Last sign-in</th>\
         <th scope=\"col\">Actions</th></tr></thead>\n<tbody></tbody>\n</table>\n</div>\n",
    );
    error_region(html, "users-error");
    html.raw(
        "<p class=\"notice\" id=\"users-done\" role=\"status\" hidden></p>\n</section>\n\
         <section id=\"audit-section\" aria-labelledby=\"audit-title\" hidden>\n\
         <h2 id=\"audit-title\">Audit log</h2>\n\
         <form id=\"audit-form\" method=\"get\" action=\"/admin\" class=\"filters\">\n\
         <div class=\"field\">\n<label for=\"audit-user\">User id</label>\n\
         <input id=\"audit-user\" name=\"user_id\" type=\"text\" maxlength=\"64\" spellcheck=\"false\" autocomplete=\"off\">\n</div>\n\
         <div class=\"field\">\n<label for=\"audit-event\">Event</label>\n\
         <select id=\"audit-event\" name=\"event\"><option value=\"\">Any</option></select>\n</div>\n\
         <div class=\"field\">\n<label for=\"audit-limit\">Per page</label>\n\
         <select id=\"audit-limit\" name=\"limit\"><option>20</option><option>50</option><option>100</option></select>\n</div>\n\
         <button type=\"submit\" class=\"secondary\">Show</button>\n</form>\n\
         <div class=\"scroll\" role=\"region\" aria-labelledby=\"audit-title\" tabindex=\"0\">\n\
         <table id=\"audit\">\n<thead><tr><th scope=\"col\">When</th><th scope=\"col\">Event</th>\
         <th scope=\"col\">Actor</th><th scope=\"col\">Subject</th><th scope=\"col\">Address</th>\
         <th scope=\"col\">Request</th></tr></thead>\n<tbody></tbody>\n</table>\n</div>\n",
    );
    error_region(html, "audit-error");
    html.raw(
        "<p class=\"pager\"><button type=\"button\" class=\"secondary\" id=\"audit-first\">First page</button>\n\
         <button type=\"button\" class=\"secondary\" id=\"audit-next\" disabled>Next page</button></p>\n\
         </section>\n\
         <section id=\"clients-section\" aria-labelledby=\"clients-title\" hidden>\n\
         <h2 id=\"clients-title\">Applications (OAuth clients)</h2>\n\
         <div class=\"scroll\" role=\"region\" aria-labelledby=\"clients-title\" tabindex=\"0\">\n\
         <table id=\"clients\">\n<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Client id</th>\
         <th scope=\"col\">Authentication</th><th scope=\"col\">Registered</th><th scope=\"col\">Status</th>\
         <th scope=\"col\">Actions</th></tr></thead>\n<tbody></tbody>\n</table>\n</div>\n\
         <p class=\"error\" id=\"clients-error\" role=\"alert\" hidden></p>\n\
         <p class=\"notice\" id=\"clients-done\" role=\"status\" hidden></p>\n\
         <form id=\"client-form\" method=\"post\" action=\"/admin\">\n<h3>Add an application</h3>\n\
         <div class=\"field\">\n<label for=\"client-name\">Name</label>\n\
         <input id=\"client-name\" name=\"client_name\" type=\"text\" required maxlength=\"100\" autocomplete=\"off\">\n</div>\n\
         <div class=\"field\">\n<label for=\"client-redirects\">Redirect URIs, one per line</label>\n\
         <textarea id=\"client-redirects\" name=\"redirect_uris\" rows=\"3\" required spellcheck=\"false\"></textarea>\n</div>\n\
         <div class=\"field\">\n<label for=\"client-auth\">Client authentication</label>\n\
         <select id=\"client-auth\" name=\"token_endpoint_auth_method\">\
         <option value=\"client_secret_basic\">Secret (HTTP Basic)</option>\
         <option value=\"client_secret_post\">Secret (form body)</option>\
         <option value=\"none\">None: a public app (PKCE only)</option></select>\n</div>\n\
         <div class=\"field\">\n<label for=\"client-alg\">ID token algorithm</label>\n\
         <select id=\"client-alg\" name=\"id_token_signed_response_alg\">\
         <option value=\"EdDSA\">EdDSA</option><option value=\"RS256\">RS256</option></select>\n</div>\n\
         <div class=\"check\"><input type=\"checkbox\" id=\"client-refresh\" name=\"refresh\" checked>\
         <label for=\"client-refresh\">Refresh tokens</label></div>\n\
         <p class=\"error\" id=\"client-form-error\" role=\"alert\" hidden></p>\n\
         <button type=\"submit\" class=\"secondary\">Add the application</button>\n</form>\n\
         <div id=\"client-created\" class=\"notice\" role=\"status\" tabindex=\"-1\" hidden>\n\
         <p>Added. Its client id is <code id=\"created-id\"></code>.</p>\n\
         <p id=\"created-secret-line\" hidden>Its secret, shown only now: <code id=\"created-secret\" class=\"secret\"></code></p>\n\
         </div>\n</section>\n\
         <section id=\"kill-section\" aria-labelledby=\"kill-title\" class=\"danger-zone\" hidden>\n\
         <h2 id=\"kill-title\">Sign out every user</h2>\n\
         <p>Ends every session of every user now, yours included. Accounts, passwords and \
         two-step settings stay; everyone signs in again.</p>\n\
         <form id=\"kill-form\" method=\"post\" action=\"/admin\">\n\
         <div class=\"check\"><input type=\"checkbox\" id=\"kill-confirm\" name=\"confirm\" required>\
         <label for=\"kill-confirm\">I understand that every user, me included, will be signed out</label></div>\n\
         <div class=\"field\">\n<label for=\"kill-phrase\">Type SIGN OUT EVERYONE to confirm</label>\n\
         <input id=\"kill-phrase\" name=\"phrase\" type=\"text\" required autocomplete=\"off\" spellcheck=\"false\">\n</div>\n",
    );
    error_region(html, "kill-error");
    html.raw(
        "<button type=\"submit\" class=\"danger\">Sign out every user</button>\n</form>\n</section>\n</div>\n",
    );
}

#[cfg(test)]
mod tests;
