//! Loading variables from `wrangler.toml`, `spin.toml` and the process environment.
//!
//! Wrangler semantics matter here: `vars` is *not inherited* by `[env.<name>]`
//! sections, so a variable set only at the top level is simply absent in staging and
//! production. The doctor resolves exactly what `wrangler deploy --env <name>` would
//! deploy, and warns about top-level variables an environment silently drops.
//! Spin has no environments: `[variables]` defaults apply everywhere, overridden at
//! run time by `SPIN_VARIABLE_<NAME>` (which the doctor reads from its environment).

use std::collections::BTreeMap;

use edgeauth_core::config::{SECRET_VARIABLES, VARIABLES};

use crate::finding::{Finding, Severity};

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Written in the configuration file.
    ConfigFile,
    /// Taken from the process environment.
    Environment,
    /// A placeholder for a secret assumed to be set in the platform's secret store.
    Assumed,
}

/// One resolved variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// The text (never printed by the doctor).
    pub text: String,
    /// Its source.
    pub origin: Origin,
}

/// Which platform a configuration is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Cloudflare Workers (`wrangler.toml`).
    Workers,
    /// Spin (`spin.toml`).
    Spin,
}

/// The variables one deployment target would see, plus what loading them found.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// e.g. `functions/login/wrangler.toml [env.production]`.
    pub target: String,
    /// Workers or Spin.
    pub platform: Platform,
    /// Variable name → value (empty values are dropped: the core treats them as unset).
    pub vars: BTreeMap<String, Value>,
    /// Findings made while loading (secrets in files, non-inherited vars, …).
    pub findings: Vec<Finding>,
    /// How to set a secret for this target (shown in missing-secret findings).
    pub secret_hint: String,
    /// Workers: the entry module (`main`), which names the function it deploys.
    pub main: Option<String>,
    /// Workers: `[limits] cpu_ms` of the environment, or of the top level (inherited).
    pub cpu_ms: Option<i64>,
    /// Workers: the queue of the `WEBHOOKS` producer binding of the section, if any.
    pub webhook_queue: Option<String>,
    /// Workers: the queues the section consumes.
    pub queue_consumers: Vec<String>,
    /// Spin: each component's `allowed_outbound_hosts`, templates expanded with the
    /// variables' values (`Err`: an entry does not resolve, so Spin denies the
    /// component every outbound request).
    pub outbound_hosts: Vec<ComponentHosts>,
}

/// A Spin component's outbound allow-list, as the doctor resolved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentHosts {
    /// The component id (`login`).
    pub component: String,
    /// Its `source` (the wasm it runs), when given.
    pub source: Option<String>,
    /// The entries with their templates expanded.
    pub entries: Result<Vec<String>, String>,
}

impl Resolved {
    /// The text of a variable, when set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(|value| value.text.as_str())
    }

    pub(crate) fn finding(
        &self,
        severity: Severity,
        id: &'static str,
        variable: Option<&str>,
        message: String,
    ) -> Finding {
        Finding {
            severity,
            id,
            target: self.target.clone(),
            variable: variable.map(String::from),
            message,
        }
    }
}

fn text_of(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(text) => Some(text.clone()),
        toml::Value::Integer(number) => Some(number.to_string()),
        toml::Value::Float(number) => Some(number.to_string()),
        toml::Value::Boolean(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn set(vars: &mut BTreeMap<String, Value>, name: &str, text: String, origin: Origin) {
    if text.trim().is_empty() {
        vars.remove(name);
    } else {
        vars.insert(name.to_string(), Value { text, origin });
    }
}

fn overlay_environment(
    vars: &mut BTreeMap<String, Value>,
    process_env: &BTreeMap<String, String>,
    prefixes: &[&str],
) {
    for name in VARIABLES {
        for prefix in prefixes {
            if let Some(text) = process_env.get(&format!("{prefix}{name}")) {
                set(vars, name, text.clone(), Origin::Environment);
            }
        }
    }
    // A generic sign-in provider's variables are named after it.
    let providers = vars
        .get("OAUTH_PROVIDERS")
        .map(|value| value.text.clone())
        .unwrap_or_default();
    for name in edgeauth_core::config::oauth::generic_variables(&providers) {
        for prefix in prefixes {
            if let Some(text) = process_env.get(&format!("{prefix}{name}")) {
                set(vars, &name, text.clone(), Origin::Environment);
            }
        }
    }
}

/// Loads what `wrangler deploy [--env <environment>]` would deploy from `file`.
pub fn load_wrangler(
    file: &str,
    text: &str,
    environment: &str,
    process_env: &BTreeMap<String, String>,
) -> Result<Resolved, String> {
    let document: toml::Table = text
        .parse()
        .map_err(|error: toml::de::Error| format!("{file}: not valid TOML: {}", error.message()))?;
    let development = environment == "development";
    let top_vars = document.get("vars").and_then(toml::Value::as_table);
    let env_section = document
        .get("env")
        .and_then(toml::Value::as_table)
        .and_then(|envs| envs.get(environment))
        .and_then(toml::Value::as_table);
    let config_flag = if file == "wrangler.toml" {
        String::new()
    } else {
        format!(" -c {file}")
    };
    let env_flag = if development {
        String::new()
    } else {
        format!(" --env {environment}")
    };
    let mut resolved = Resolved {
        target: if development {
            format!("{file} [vars]")
        } else {
            format!("{file} [env.{environment}]")
        },
        platform: Platform::Workers,
        vars: BTreeMap::new(),
        findings: Vec::new(),
        secret_hint: format!("run `npx wrangler secret put NAME{env_flag}{config_flag}`"),
        main: None,
        cpu_ms: None,
        webhook_queue: None,
        queue_consumers: Vec::new(),
        outbound_hosts: Vec::new(),
    };
    // `main` and `limits` are inheritable keys: an environment's own value wins.
    let inherited = |key: &str| {
        env_section
            .filter(|_| !development)
            .and_then(|section| section.get(key))
            .or_else(|| document.get(key))
    };
    resolved.main = inherited("main")
        .and_then(toml::Value::as_str)
        .map(String::from);
    resolved.cpu_ms = inherited("limits")
        .and_then(|limits| limits.get("cpu_ms"))
        .and_then(toml::Value::as_integer);
    // Bindings are not inheritable: an environment has only its own queues.
    let queues = if development {
        document.get("queues")
    } else {
        env_section.and_then(|section| section.get("queues"))
    };
    let entries = |kind: &str| -> Vec<&toml::Table> {
        queues
            .and_then(|queues| queues.get(kind))
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(toml::Value::as_table)
            .collect()
    };
    fn queue_of(entry: &toml::Table) -> Option<&str> {
        entry.get("queue").and_then(toml::Value::as_str)
    }
    resolved.webhook_queue = entries("producers")
        .into_iter()
        .find(|entry| entry.get("binding").and_then(toml::Value::as_str) == Some("WEBHOOKS"))
        .and_then(queue_of)
        .map(String::from);
    resolved.queue_consumers = entries("consumers")
        .into_iter()
        .filter_map(queue_of)
        .map(String::from)
        .collect();

    let file_vars = if development {
        top_vars
    } else {
        match env_section {
            Some(section) => section.get("vars").and_then(toml::Value::as_table),
            None => {
                let finding = resolved.finding(
                    Severity::Error,
                    "missing-environment",
                    None,
                    format!(
                        "no [env.{environment}] section: `wrangler deploy --env {environment}` \
                         would deploy the development settings"
                    ),
                );
                resolved.findings.push(finding);
                None
            }
        }
    };
    if let Some(vars) = file_vars {
        for (name, value) in vars {
            if let Some(text) = text_of(value) {
                set(&mut resolved.vars, name, text, Origin::ConfigFile);
            }
        }
    }
    // Secrets written into the file are stored and displayed in plain text by the
    // platform and sit in version control; only `wrangler secret put` keeps them apart.
    let secrets_in_file: Vec<String> = resolved
        .vars
        .keys()
        .filter(|name| {
            SECRET_VARIABLES.contains(&name.as_str())
                || edgeauth_core::config::oauth::is_secret(name)
        })
        .cloned()
        .collect();
    for name in secrets_in_file {
        let finding = resolved.finding(
            if development {
                Severity::Warning
            } else {
                Severity::Error
            },
            "secret-in-config",
            Some(&name),
            format!(
                "a secret is written in plain text in the config file; remove it and {}",
                resolved.secret_hint.replace("NAME", &name)
            ),
        );
        resolved.findings.push(finding);
    }
    // `vars` is not inheritable in wrangler: warn about what an environment drops.
    if let (false, Some(top), Some(section)) = (development, top_vars, env_section) {
        let env_vars = section.get("vars").and_then(toml::Value::as_table);
        for name in top.keys() {
            if env_vars.is_none_or(|vars| !vars.contains_key(name)) {
                let finding = resolved.finding(
                    Severity::Warning,
                    "not-inherited",
                    Some(name),
                    format!(
                        "set in the top-level [vars] but not in [env.{environment}].vars; \
                         wrangler does not inherit vars, so {environment} uses the default"
                    ),
                );
                resolved.findings.push(finding);
            }
        }
    }
    // Reachable on *.workers.dev, a Worker bypasses the zone's routes and settings.
    let workers_dev = env_section
        .and_then(|section| section.get("workers_dev"))
        .or_else(|| document.get("workers_dev"))
        .and_then(toml::Value::as_bool)
        .unwrap_or(true);
    if workers_dev && !development {
        let finding = resolved.finding(
            Severity::Warning,
            "workers-dev",
            None,
            "workers_dev is not false: the function also answers on *.workers.dev, outside \
             the zone's routes; set `workers_dev = false`"
                .to_string(),
        );
        resolved.findings.push(finding);
    }
    overlay_environment(&mut resolved.vars, process_env, &[""]);
    Ok(resolved)
}

/// Loads the `[variables]` of a Spin manifest, overlaid with `SPIN_VARIABLE_<NAME>`
/// (Spin's own environment provider) or `<NAME>` from the environment.
pub fn load_spin(
    file: &str,
    text: &str,
    environment: &str,
    process_env: &BTreeMap<String, String>,
) -> Result<Resolved, String> {
    let document: toml::Table = text
        .parse()
        .map_err(|error: toml::de::Error| format!("{file}: not valid TOML: {}", error.message()))?;
    let development = environment == "development";
    let mut resolved = Resolved {
        target: format!("{file} [variables]"),
        platform: Platform::Spin,
        vars: BTreeMap::new(),
        findings: Vec::new(),
        secret_hint: "supply it at deploy time as a secret Spin variable \
                      (SPIN_VARIABLE_NAME, or the platform's secret store)"
            .to_string(),
        main: None,
        cpu_ms: None,
        webhook_queue: None,
        queue_consumers: Vec::new(),
        outbound_hosts: Vec::new(),
    };
    let variables = document.get("variables").and_then(toml::Value::as_table);
    for (name, declaration) in variables.into_iter().flatten() {
        let upper = name.to_ascii_uppercase();
        let Some(declaration) = declaration.as_table() else {
            continue;
        };
        let default = declaration.get("default").and_then(text_of);
        let declared_secret = declaration
            .get("secret")
            .and_then(toml::Value::as_bool)
            .unwrap_or(false);
        let is_secret = SECRET_VARIABLES.contains(&upper.as_str());
        if is_secret && !declared_secret {
            let finding = resolved.finding(
                Severity::Error,
                "secret-not-marked",
                Some(&upper),
                "declared without `secret = true`: Spin would log and expose its value".to_string(),
            );
            resolved.findings.push(finding);
        }
        if let Some(default) = default {
            if is_secret && !default.trim().is_empty() {
                let finding = resolved.finding(
                    if development {
                        Severity::Warning
                    } else {
                        Severity::Error
                    },
                    "secret-in-config",
                    Some(&upper),
                    "a secret has a default in the manifest (plain text in version control); \
                     leave the default empty and set it at deploy time"
                        .to_string(),
                );
                resolved.findings.push(finding);
            }
            set(&mut resolved.vars, &upper, default, Origin::ConfigFile);
        }
    }
    overlay_environment(&mut resolved.vars, process_env, &["", "SPIN_VARIABLE_"]);
    resolved.outbound_hosts = outbound_hosts(&document, variables, process_env);
    Ok(resolved)
}

/// The value of every declared Spin variable: its default, or `SPIN_VARIABLE_<NAME>`
/// from the environment (Spin's environment provider); `None` without either.
fn spin_values(
    variables: Option<&toml::Table>,
    process_env: &BTreeMap<String, String>,
) -> BTreeMap<String, Option<String>> {
    variables
        .into_iter()
        .flatten()
        .map(|(name, declaration)| {
            let from_env = process_env.get(&format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase()));
            let default = declaration.get("default").and_then(text_of);
            (name.clone(), from_env.cloned().or(default))
        })
        .collect()
}

/// `entry` with its `{{ variable }}` templates replaced, or why it cannot be.
fn expand(entry: &str, values: &BTreeMap<String, Option<String>>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = entry;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("an unclosed template in {entry:?}"))?;
        let name = after[..end].trim();
        match values.get(name) {
            Some(Some(value)) => out.push_str(value),
            Some(None) => return Err(format!("variable `{name}` has no value")),
            None => return Err(format!("variable `{name}` is not declared")),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Every component's `allowed_outbound_hosts`, expanded.
fn outbound_hosts(
    document: &toml::Table,
    variables: Option<&toml::Table>,
    process_env: &BTreeMap<String, String>,
) -> Vec<ComponentHosts> {
    let values = spin_values(variables, process_env);
    let components = document.get("component").and_then(toml::Value::as_table);
    components
        .into_iter()
        .flatten()
        .filter_map(|(id, component)| {
            let component = component.as_table()?;
            let entries = component
                .get("allowed_outbound_hosts")
                .and_then(toml::Value::as_array)
                .into_iter()
                .flatten()
                .map(|entry| {
                    entry
                        .as_str()
                        .ok_or_else(|| "an entry is not a string".to_string())
                        .and_then(|entry| expand(entry, &values))
                })
                .collect();
            Some(ComponentHosts {
                component: id.clone(),
                source: component
                    .get("source")
                    .and_then(toml::Value::as_str)
                    .map(String::from),
                entries,
            })
        })
        .collect()
}
