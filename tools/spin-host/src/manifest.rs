//! Reading a Spin manifest (`spin_manifest_version = 2`) into what the host needs.
//!
//! Only the parts this host implements are read: HTTP triggers, component
//! sources, key-value store labels, outbound host allow-lists, environment,
//! and variables. Unknown tables and keys are ignored, as Spin ignores keys it
//! does not use. Variable values are resolved once at startup from
//! `SPIN_VARIABLE_<NAME>` environment variables or the declared default; a
//! required variable without a value does not stop the host: reading it from
//! the component returns an error instead.
//!
//! `allowed_outbound_hosts` are handled as Spin does: literal entries must be
//! valid at load time; a templated entry (`"{{ mail_origin }}"`) is checked at
//! load time with the variables' defaults when they all have one (Spin v4.0.2
//! refuses to load a manifest whose templated host resolves to an invalid form
//! such as `""`), and resolved with the variables' values for the component's
//! requests. If a resolved entry is invalid, the whole list is, and every
//! outbound request of the component is denied (logged at startup).
//!
//! Security: secret variables are never printed; only their names appear in
//! error messages.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::outbound::{self, AllowedHost};
use wasmtime::error::Context as _;
use wasmtime::{Result, bail, format_err};

/// The parts of an application the host serves.
#[derive(Debug)]
pub struct App {
    /// `(route pattern, component id)` for every public HTTP trigger.
    pub routes: Vec<(String, String)>,
    /// Components by id.
    pub components: BTreeMap<String, ComponentSpec>,
    /// Required application variables that have no value.
    pub missing_required: Vec<String>,
}

/// One component as configured in the manifest, with variables resolved.
#[derive(Debug)]
pub struct ComponentSpec {
    /// The component id (the `NAME` of `[component.NAME]`).
    pub id: String,
    /// Absolute or manifest-relative-resolved path of the Wasm file.
    pub source: PathBuf,
    /// Store labels the component may open.
    pub key_value_stores: Vec<String>,
    /// `allowed_outbound_hosts` entries, templates resolved and parsed; `Err` (why)
    /// when one does not resolve to a valid entry: then everything is denied.
    pub allowed_outbound_hosts: Result<Vec<AllowedHost>, String>,
    /// Environment variables for the guest.
    pub environment: Vec<(String, String)>,
    /// Component variables: the value, or why it has none.
    pub variables: BTreeMap<String, Result<String, String>>,
}

#[derive(Deserialize)]
struct RawManifest {
    spin_manifest_version: toml::Value,
    #[serde(default)]
    variables: BTreeMap<String, RawVariable>,
    #[serde(default)]
    trigger: RawTriggers,
    #[serde(default)]
    component: BTreeMap<String, RawComponent>,
}

#[derive(Deserialize, Default)]
struct RawVariable {
    default: Option<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "secrecy only matters for logging, and no value is logged"
    )]
    secret: bool,
}

#[derive(Deserialize, Default)]
struct RawTriggers {
    #[serde(default)]
    http: Vec<RawHttpTrigger>,
}

#[derive(Deserialize)]
struct RawHttpTrigger {
    route: toml::Value,
    component: toml::Value,
}

#[derive(Deserialize)]
struct RawComponent {
    source: toml::Value,
    #[serde(default)]
    key_value_stores: Vec<String>,
    #[serde(default)]
    allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    environment: BTreeMap<String, String>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
}

/// Reads and resolves the manifest at `path`, taking variable values from
/// `env` (normally [`std::env::var`]).
pub fn load(path: &Path, env: impl Fn(&str) -> Option<String>) -> Result<App> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read manifest {}", path.display()))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    parse(&text, dir, env).with_context(|| format!("invalid manifest {}", path.display()))
}

/// Parses manifest text; `dir` is the folder component sources are relative to.
pub fn parse(text: &str, dir: &Path, env: impl Fn(&str) -> Option<String>) -> Result<App> {
    let raw: RawManifest = toml::from_str(text).map_err(|e| format_err!("{e}"))?;
    if raw.spin_manifest_version.as_integer() != Some(2) {
        bail!("only spin_manifest_version = 2 is supported");
    }
    let app_values = resolve_app_variables(&raw.variables, &env)?;

    let mut components = BTreeMap::new();
    for (id, c) in raw.component {
        let Some(source) = c.source.as_str() else {
            bail!("component `{id}`: only a local file `source` is supported");
        };
        let mut variables = BTreeMap::new();
        for (name, template) in &c.variables {
            if !is_valid_variable_name(name) {
                bail!("component `{id}`: invalid variable name `{name}`");
            }
            let value = expand(template, &app_values)
                .with_context(|| format!("component `{id}`, variable `{name}`"))?;
            variables.insert(name.clone(), value);
        }
        let allowed_outbound_hosts =
            outbound_hosts(&id, &c.allowed_outbound_hosts, &raw.variables, &app_values)?;
        if let Err(why) = &allowed_outbound_hosts {
            eprintln!(
                "warning: component `{id}`: allowed_outbound_hosts does not resolve ({why}); \
                 every outbound request of this component will be denied"
            );
        }
        let spec = ComponentSpec {
            id: id.clone(),
            source: dir.join(source),
            key_value_stores: c.key_value_stores,
            allowed_outbound_hosts,
            environment: c.environment.into_iter().collect(),
            variables,
        };
        components.insert(id, spec);
    }

    let mut routes = Vec::new();
    for t in raw.trigger.http {
        let Some(component) = t.component.as_str() else {
            bail!("inline trigger components are not supported; name a [component.NAME]");
        };
        if !components.contains_key(component) {
            bail!("trigger refers to unknown component `{component}`");
        }
        match &t.route {
            toml::Value::String(route) => routes.push((route.clone(), component.to_owned())),
            // `route = { private = true }`: reachable only through service chaining.
            toml::Value::Table(_) => {}
            other => bail!("invalid route {other}"),
        }
    }
    let missing_required = app_values
        .iter()
        .filter(|(_, v)| v.is_err())
        .map(|(name, _)| name.clone())
        .collect();
    Ok(App {
        routes,
        components,
        missing_required,
    })
}

/// Application variable values: `Ok(value)` or `Err(reason it has none)`.
type AppValues = BTreeMap<String, Result<String, String>>;

/// A component's `allowed_outbound_hosts`, checked and resolved as Spin does (see
/// the module docs). `Err` from the outer result stops the host (the manifest is
/// invalid); the inner `Err` denies the component every outbound request.
fn outbound_hosts(
    id: &str,
    entries: &[String],
    declared: &BTreeMap<String, RawVariable>,
    values: &AppValues,
) -> Result<Result<Vec<AllowedHost>, String>> {
    let defaults: AppValues = declared
        .iter()
        .map(|(name, var)| {
            let default = var
                .default
                .clone()
                .ok_or_else(|| format!("`{name}` has no default"));
            (name.clone(), default)
        })
        .collect();
    for entry in entries {
        // Literal entries, and templated ones whose variables all have defaults,
        // must be valid as written.
        if let Ok(with_defaults) = expand(entry, &defaults)? {
            AllowedHost::parse(&with_defaults).map_err(|why| {
                format_err!("component `{id}`: allowed_outbound_hosts entry {entry:?}: {why}")
            })?;
        }
    }
    let mut resolved = Vec::with_capacity(entries.len());
    for entry in entries {
        match expand(entry, values)? {
            Ok(value) => resolved.push(value),
            Err(why) => return Ok(Err(format!("{entry:?}: {why}"))),
        }
    }
    Ok(outbound::parse_list(&resolved))
}

fn resolve_app_variables(
    vars: &BTreeMap<String, RawVariable>,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<AppValues> {
    let mut values = BTreeMap::new();
    for (name, var) in vars {
        if !is_valid_variable_name(name) {
            bail!("invalid variable name `{name}`");
        }
        if var.required && var.default.is_some() {
            bail!("variable `{name}` cannot be both required and have a default");
        }
        let from_env = env(&format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase()));
        let value = match from_env.or_else(|| var.default.clone()) {
            Some(v) => Ok(v),
            None => Err(format!("required variable `{name}` has no value")),
        };
        values.insert(name.clone(), value);
    }
    Ok(values)
}

/// Spin variable names: lowercase ASCII letters, digits and `_`, starting with
/// a letter.
pub fn is_valid_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Expands `{{ name }}` references in `template`. An unknown name is a
/// manifest error; a known name without a value makes the result `Err`.
fn expand(template: &str, values: &AppValues) -> Result<Result<String, String>> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            bail!("unterminated `{{{{` in {template:?}");
        };
        let name = after[..end].trim();
        match values.get(name) {
            None => bail!("template refers to undeclared variable `{name}`"),
            Some(Err(why)) => return Ok(Err(why.clone())),
            Some(Ok(v)) => out.push_str(v),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(Ok(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"
spin_manifest_version = 2
[application]
name = "t"
[variables]
greeting = { default = "hello" }
secret_key = { required = true, secret = true }
[[trigger.http]]
route = "/api/..."
component = "api"
[[trigger.http]]
route = { private = true }
component = "api"
[component.api]
source = "target/api.wasm"
key_value_stores = ["default"]
allowed_outbound_hosts = ["http://{{ greeting }}:25"]
[component.api.variables]
message = "{{ greeting }}, {{greeting}}!"
key = "{{ secret_key }}"
"#;

    fn app(env: &[(&str, &str)]) -> App {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse(MANIFEST, Path::new("/app"), |k| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
        .unwrap()
    }

    #[test]
    fn resolves_templates_from_defaults() {
        let app = app(&[]);
        let c = &app.components["api"];
        assert_eq!(c.source, Path::new("/app/target/api.wasm"));
        assert_eq!(c.variables["message"], Ok("hello, hello!".into()));
        assert_eq!(
            c.allowed_outbound_hosts,
            Ok(vec![AllowedHost::parse("http://hello:25").unwrap()])
        );
        assert_eq!(app.routes, [("/api/...".to_string(), "api".to_string())]);
    }

    #[test]
    fn environment_overrides_default() {
        let app = app(&[
            ("SPIN_VARIABLE_GREETING", "hi"),
            ("SPIN_VARIABLE_SECRET_KEY", "k"),
        ]);
        let c = &app.components["api"];
        assert_eq!(c.variables["message"], Ok("hi, hi!".into()));
        assert_eq!(c.variables["key"], Ok("k".into()));
    }

    #[test]
    fn missing_required_variable_is_a_per_variable_error() {
        let app = app(&[]);
        assert!(app.components["api"].variables["key"].is_err());
        assert_eq!(app.missing_required, ["secret_key"]);
    }

    #[test]
    fn rejects_undeclared_template_variable() {
        let text = MANIFEST.replace("{{ secret_key }}", "{{ nope }}");
        assert!(parse(&text, Path::new("."), |_| None).is_err());
    }

    fn outbound(manifest: &str, env: &[(&str, &str)]) -> Result<App> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse(manifest, Path::new("/app"), |k| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    const MAIL: &str = r#"
spin_manifest_version = 2
[variables]
mail_origin = { default = "https://*:443" }
[component.api]
source = "api.wasm"
allowed_outbound_hosts = ["{{ mail_origin }}"]
"#;

    #[test]
    fn a_templated_outbound_host_takes_the_variable_value() {
        let app = outbound(
            MAIL,
            &[("SPIN_VARIABLE_MAIL_ORIGIN", "http://127.0.0.1:9000")],
        )
        .unwrap();
        let hosts = app.components["api"]
            .allowed_outbound_hosts
            .as_ref()
            .unwrap();
        let allowed = |uri: &str| outbound::is_allowed(hosts, &uri.parse().unwrap());
        assert!(allowed("http://127.0.0.1:9000/send"));
        assert!(!allowed("https://mail.example.com/send"));
        let app = outbound(MAIL, &[]).unwrap();
        let hosts = app.components["api"]
            .allowed_outbound_hosts
            .as_ref()
            .unwrap();
        assert!(outbound::is_allowed(
            hosts,
            &"https://mail.example.com/x".parse().unwrap()
        ));
    }

    #[test]
    fn a_templated_outbound_host_whose_default_is_invalid_stops_the_host() {
        // Spin v4.0.2: "\"\" is not an allowed outbound host format".
        let text = MAIL.replace(r#"default = "https://*:443""#, r#"default = """#);
        let error = outbound(
            &text,
            &[("SPIN_VARIABLE_MAIL_ORIGIN", "http://127.0.0.1:9000")],
        )
        .unwrap_err();
        assert!(
            format!("{error:#}").contains("not an allowed outbound host format"),
            "{error:#}"
        );
        assert!(outbound(&MAIL.replace("{{ mail_origin }}", "https://x/y"), &[]).is_err());
    }

    #[test]
    fn an_outbound_host_that_resolves_invalid_denies_everything() {
        let app = outbound(MAIL, &[("SPIN_VARIABLE_MAIL_ORIGIN", "127.0.0.1:9000")]).unwrap();
        assert!(app.components["api"].allowed_outbound_hosts.is_err());
        let text = MAIL.replace(r#"{ default = "https://*:443" }"#, "{ required = true }");
        let app = outbound(&text, &[]).unwrap();
        assert!(app.components["api"].allowed_outbound_hosts.is_err());
    }

    #[test]
    fn validates_variable_names() {
        assert!(is_valid_variable_name("api_key2"));
        assert!(!is_valid_variable_name("Api"));
        assert!(!is_valid_variable_name("2x"));
        assert!(!is_valid_variable_name(""));
    }
}
