//! CPU time per request against the Workers plans' limits.
//!
//! Cloudflare ends a request that spends more CPU than its Worker's limit ("exceeded
//! CPU time limit"): 10 ms on the Free plan; on Paid, `[limits] cpu_ms` (30 s when
//! unset, at most 300 000). The password routes hash with argon2id, whose CPU grows
//! with memory × iterations, so the argon2 settings decide which plan and which
//! `cpu_ms` a deployment needs.
//!
//! The prediction comes from `cpu-model.toml`, which `node tools/cpu-budget.mjs`
//! writes from its measurements (README, "CPU time per request"): per route, a line
//! `fixed_ms + ms_per_mib_pass × memory MiB × iterations` fitted on that machine.
//! Parallelism is left out: the wasm build hashes its lanes one after another.
//!
//! ## Security considerations
//! A limit below the real cost makes every login, registration, reset and password
//! change fail; a limit far above it lets each request burn more CPU than it needs
//! (docs/abuse.md §5). The model is a measurement of one machine: the findings are
//! warnings, and the README's rule keeps 3× headroom over it.

use std::collections::BTreeMap;

use crate::finding::{Finding, Severity};
use crate::sources::{Platform, Resolved};

/// The Workers Free plan's CPU time per request, in milliseconds.
pub const FREE_PLAN_CPU_MS: f64 = 10.0;
/// The largest `limits.cpu_ms` Cloudflare accepts (5 minutes).
pub const MAX_CPU_MS: i64 = 300_000;

/// The measured model, embedded at build time.
const EMBEDDED_MODEL: &str = include_str!("../cpu-model.toml");

/// One route's CPU cost as a line in memory × iterations.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteCost {
    /// The function that serves it on Workers (`login`, `reset`, `refresh`, `api`,
    /// `pages`, `oauth`).
    pub function: String,
    /// `METHOD /path`.
    pub route: String,
    /// CPU milliseconds that do not depend on the argon2 settings.
    pub fixed_ms: f64,
    /// CPU milliseconds per MiB × iteration of argon2id (0 for routes that hash nothing).
    pub ms_per_mib_pass: f64,
}

impl RouteCost {
    /// Predicted CPU milliseconds with argon2id at `memory_kib`, `iterations`.
    pub fn predict(&self, memory_kib: u32, iterations: u32) -> f64 {
        let mib_passes = f64::from(memory_kib) / 1024.0 * f64::from(iterations);
        self.fixed_ms + self.ms_per_mib_pass * mib_passes
    }
}

/// The cost model: every measured route.
#[derive(Debug, Clone, PartialEq)]
pub struct CostModel {
    /// The routes, in the file's order.
    pub routes: Vec<RouteCost>,
}

impl CostModel {
    /// The model `tools/cpu-budget.mjs` measured, compiled into the doctor.
    pub fn embedded() -> Result<Self, String> {
        Self::parse(EMBEDDED_MODEL)
    }

    /// Parses `[[route]]` tables of `function`, `route`, `fixed_ms`, `ms_per_mib_pass`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let document: toml::Table = text
            .parse()
            .map_err(|error: toml::de::Error| format!("cpu model: {}", error.message()))?;
        let entries = document
            .get("route")
            .and_then(toml::Value::as_array)
            .ok_or("cpu model: no [[route]] entries")?;
        let mut routes = Vec::new();
        for entry in entries {
            let table = entry
                .as_table()
                .ok_or("cpu model: a route is not a table")?;
            let text = |key: &str| {
                table
                    .get(key)
                    .and_then(toml::Value::as_str)
                    .map(String::from)
                    .ok_or(format!("cpu model: a route lacks `{key}`"))
            };
            let number = |key: &str| {
                table
                    .get(key)
                    .and_then(|value| value.as_float().or(value.as_integer().map(|n| n as f64)))
                    .filter(|value| value.is_finite())
                    .ok_or(format!("cpu model: a route lacks a number `{key}`"))
            };
            // A fitted line may cross zero below the settings measured (a small negative
            // intercept); its slope cannot be negative: more work never costs less.
            let slope = number("ms_per_mib_pass")?;
            if slope < 0.0 {
                return Err("cpu model: a negative `ms_per_mib_pass`".into());
            }
            routes.push(RouteCost {
                function: text("function")?,
                route: text("route")?,
                fixed_ms: number("fixed_ms")?,
                ms_per_mib_pass: slope,
            });
        }
        if routes.is_empty() {
            return Err("cpu model: no routes".into());
        }
        Ok(Self { routes })
    }

    /// The most expensive route of `function` (of every function when `None`), with
    /// its predicted CPU milliseconds.
    pub fn worst(
        &self,
        function: Option<&str>,
        memory_kib: u32,
        iterations: u32,
    ) -> Option<(&RouteCost, f64)> {
        self.routes
            .iter()
            .filter(|route| function.is_none_or(|name| route.function == name))
            .map(|route| (route, route.predict(memory_kib, iterations)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }

    fn functions(&self) -> BTreeMap<&str, ()> {
        self.routes
            .iter()
            .map(|route| (route.function.as_str(), ()))
            .collect()
    }
}

/// The function a wrangler config deploys, from its `main` (`build/workers/<fn>/…`,
/// what tools/build.mjs writes), when the model knows it.
fn function_of<'a>(main: Option<&str>, model: &'a CostModel) -> Option<&'a str> {
    let main = main?;
    model
        .functions()
        .into_keys()
        .find(|name| main.contains(&format!("build/workers/{name}/")))
}

/// The argon2 settings and CPU limit one target is checked with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// `PASSWORD_HASH_MEMORY_KIB`.
    pub memory_kib: u32,
    /// `PASSWORD_HASH_ITERATIONS`.
    pub iterations: u32,
    /// `[limits] cpu_ms` of the environment (or the top level), when set.
    pub cpu_ms: Option<i64>,
}

/// Checks one Workers target's CPU limit against the model; pushes warnings.
pub fn check(
    resolved: &Resolved,
    budget: Budget,
    model: &CostModel,
    push: &mut impl FnMut(Finding),
) {
    if resolved.platform != Platform::Workers {
        return; // Spin has no per-request CPU limit of this kind
    }
    if let Some(cpu_ms) = budget.cpu_ms {
        if !(1..=MAX_CPU_MS).contains(&cpu_ms) {
            push(resolved.finding(
                Severity::Error,
                "cpu-limit-range",
                None,
                format!(
                    "[limits] cpu_ms = {cpu_ms} is outside 1..={MAX_CPU_MS}: Cloudflare refuses it"
                ),
            ));
            return;
        }
    }
    let function = function_of(resolved.main.as_deref(), model);
    let Some((route, predicted)) = model.worst(function, budget.memory_kib, budget.iterations)
    else {
        return;
    };
    let which = match function {
        Some(name) => format!("`{name}`'s costliest route, {},", route.route),
        // Not one of the six functions' builds: judge it by the costliest of them all.
        None => format!(
            "the costliest route of any function (`main` names none of them), {},",
            route.route
        ),
    };
    // Name the argon2 settings (and their variable) only when they drive the cost.
    let (variable, settings) = if route.ms_per_mib_pass > 0.0 {
        (
            Some("PASSWORD_HASH_MEMORY_KIB"),
            format!(
                "with argon2id m={} t={}, ",
                budget.memory_kib, budget.iterations
            ),
        )
    } else {
        (None, String::new())
    };
    match budget.cpu_ms {
        Some(cpu_ms) if predicted > cpu_ms as f64 => push(resolved.finding(
            Severity::Warning,
            "cpu-limit-exceeded",
            variable,
            format!(
                "{settings}{which} needs about {predicted:.0} ms of CPU (cost model of \
                 tools/cpu-budget.mjs), over [limits] cpu_ms = {cpu_ms}: those requests would \
                 fail with \"exceeded CPU time limit\"; raise cpu_ms to at least {} or lower \
                 the argon2 settings",
                suggested_cpu_ms(predicted)
            ),
        )),
        None if predicted > FREE_PLAN_CPU_MS => push(resolved.finding(
            Severity::Warning,
            "free-plan-cpu",
            variable,
            format!(
                "{settings}{which} needs about {predicted:.0} ms of CPU, over the Workers Free \
                 plan's {FREE_PLAN_CPU_MS:.0} ms: it needs the Paid plan; set [limits] cpu_ms \
                 (e.g. {}) so the limit is explicit",
                suggested_cpu_ms(predicted)
            ),
        )),
        _ => {}
    }
}

/// The README's rule: 3× the measured cost, rounded up to a multiple of 50 ms.
pub fn suggested_cpu_ms(predicted_ms: f64) -> i64 {
    let tripled = (predicted_ms * 3.0).ceil() as i64;
    (tripled.max(1) + 49) / 50 * 50
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use crate::sources::load_wrangler;

    const MODEL: &str = r#"
[[route]]
function = "login"
route = "POST /auth/login"
fixed_ms = 1.0
ms_per_mib_pass = 1.0

[[route]]
function = "reset"
route = "POST /auth/password/change"
fixed_ms = 2.0
ms_per_mib_pass = 2.0

[[route]]
function = "refresh"
route = "POST /auth/session/refresh"
fixed_ms = 3.0
ms_per_mib_pass = 0
"#;

    fn model() -> CostModel {
        CostModel::parse(MODEL).unwrap()
    }

    fn findings(config: &str, budget: Budget) -> Vec<Finding> {
        let resolved = load_wrangler(
            "functions/x/wrangler.toml",
            config,
            "production",
            &BTreeMap::new(),
        )
        .unwrap();
        let mut out = Vec::new();
        check(&resolved, budget, &model(), &mut |finding| {
            out.push(finding)
        });
        out
    }

    const LOGIN: &str = "main = \"../../build/workers/login/shim.mjs\"\n[env.production]\n";
    const UNKNOWN: &str = "main = \"shim.mjs\"\n[env.production]\n";
    // 19456 KiB × 2 = 38 MiB-passes.
    const DEFAULT: Budget = Budget {
        memory_kib: 19_456,
        iterations: 2,
        cpu_ms: None,
    };

    #[test]
    fn predicts_a_line_in_memory_times_iterations() {
        let route = &model().routes[0];
        assert_eq!(route.predict(19_456, 2), 1.0 + 38.0);
        assert_eq!(route.predict(1024, 1), 2.0);
        // Doubling memory or iterations doubles the hashing part alike.
        assert_eq!(route.predict(2048, 1), route.predict(1024, 2));
    }

    #[test]
    fn a_hashing_function_without_cpu_ms_is_flagged_as_needing_the_paid_plan() {
        let found = findings(LOGIN, DEFAULT);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].id, "free-plan-cpu");
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(
            found[0].message.contains("about 39 ms"),
            "{}",
            found[0].message
        );
        assert!(found[0].message.contains("POST /auth/login"));
    }

    #[test]
    fn a_cpu_ms_below_the_predicted_cost_is_flagged() {
        let config = format!("{LOGIN}limits = {{ cpu_ms = 30 }}\n");
        let resolved = load_wrangler("f", &config, "production", &BTreeMap::new()).unwrap();
        let budget = Budget {
            cpu_ms: resolved.cpu_ms,
            ..DEFAULT
        };
        assert_eq!(budget.cpu_ms, Some(30));
        let found = findings(&config, budget);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].id, "cpu-limit-exceeded");
        // 3 × 39 ms = 117, rounded up to a multiple of 50.
        assert!(
            found[0].message.contains("at least 150"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn a_cpu_ms_above_the_predicted_cost_passes() {
        let found = findings(
            LOGIN,
            Budget {
                cpu_ms: Some(150),
                ..DEFAULT
            },
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn stronger_argon2_settings_outgrow_a_limit_that_fitted() {
        let budget = Budget {
            memory_kib: 65_536,
            iterations: 3,
            cpu_ms: Some(150),
        };
        let found = findings(LOGIN, budget);
        assert_eq!(found[0].id, "cpu-limit-exceeded", "{found:?}");
    }

    #[test]
    fn a_function_that_hashes_nothing_fits_the_free_plan() {
        let refresh = "main = \"../../build/workers/refresh/shim.mjs\"\n[env.production]\n";
        assert!(findings(refresh, DEFAULT).is_empty());
    }

    #[test]
    fn an_unknown_main_is_judged_by_the_costliest_route_of_all() {
        let found = findings(
            UNKNOWN,
            Budget {
                cpu_ms: Some(50),
                ..DEFAULT
            },
        );
        // reset's change: 2 + 2 × 38 = 78 ms > 50.
        assert_eq!(found[0].id, "cpu-limit-exceeded", "{found:?}");
        assert!(found[0].message.contains("POST /auth/password/change"));
    }

    #[test]
    fn cpu_ms_outside_what_cloudflare_accepts_is_an_error() {
        for cpu_ms in [0, -5, 300_001] {
            let found = findings(
                LOGIN,
                Budget {
                    cpu_ms: Some(cpu_ms),
                    ..DEFAULT
                },
            );
            assert_eq!(found[0].id, "cpu-limit-range", "{cpu_ms}");
            assert_eq!(found[0].severity, Severity::Error);
        }
    }

    #[test]
    fn spin_targets_have_no_cpu_check() {
        let mut resolved = load_wrangler("f", LOGIN, "production", &BTreeMap::new()).unwrap();
        resolved.platform = Platform::Spin;
        let mut out = Vec::new();
        check(&resolved, DEFAULT, &model(), &mut |finding| {
            out.push(finding)
        });
        assert!(out.is_empty());
    }

    #[test]
    fn suggested_limits_follow_the_three_times_rule() {
        assert_eq!(suggested_cpu_ms(1.0), 50);
        assert_eq!(suggested_cpu_ms(16.7), 100);
        assert_eq!(suggested_cpu_ms(40.0), 150);
        assert_eq!(suggested_cpu_ms(80.0), 250);
    }

    #[test]
    fn the_embedded_model_parses_and_covers_the_six_functions() {
        let model = CostModel::embedded().unwrap();
        let functions: Vec<&str> = model.functions().into_keys().collect();
        assert_eq!(
            functions,
            ["api", "login", "oauth", "pages", "refresh", "reset"]
        );
        // The password routes cost more than the Free plan allows at the defaults.
        let (_, login) = model.worst(Some("login"), 19_456, 2).unwrap();
        assert!(login > FREE_PLAN_CPU_MS, "{login}");
        // The hosted pages and the provider hash nothing: no argon2 setting moves them.
        for function in ["pages", "oauth"] {
            let (_, weak) = model.worst(Some(function), 7_168, 5).unwrap();
            let (_, strong) = model.worst(Some(function), 65_536, 3).unwrap();
            assert_eq!(weak, strong, "{function}");
        }
    }

    #[test]
    fn pages_and_oauth_are_judged_by_their_own_routes() {
        let model = CostModel::parse(&format!(
            "{MODEL}\n[[route]]\nfunction = \"pages\"\nroute = \"GET /sign-in\"\nfixed_ms = 4.0\nms_per_mib_pass = 0\n\
             \n[[route]]\nfunction = \"oauth\"\nroute = \"POST /oauth/register\"\nfixed_ms = 20.0\nms_per_mib_pass = 0\n"
        ))
        .unwrap();
        let judged = |function: &str, cpu_ms| {
            let config =
                format!("main = \"../../build/workers/{function}/shim.mjs\"\n[env.production]\n");
            let resolved = load_wrangler("f", &config, "production", &BTreeMap::new()).unwrap();
            let mut out = Vec::new();
            check(
                &resolved,
                Budget { cpu_ms, ..DEFAULT },
                &model,
                &mut |finding| out.push(finding),
            );
            out
        };
        // Not by login's password route (39 ms): pages fits the Free plan and 50 ms.
        assert!(judged("pages", None).is_empty());
        assert!(judged("pages", Some(50)).is_empty());
        // oauth's own costliest route: over the Free plan, and over a 10 ms limit.
        let free = judged("oauth", None);
        assert_eq!(free[0].id, "free-plan-cpu", "{free:?}");
        assert!(
            free[0].message.contains("POST /oauth/register"),
            "{}",
            free[0].message
        );
        assert!(
            free[0].variable.is_none(),
            "no argon2 variable to blame: {free:?}"
        );
        assert_eq!(judged("oauth", Some(10))[0].id, "cpu-limit-exceeded");
        assert!(judged("oauth", Some(50)).is_empty());
    }

    #[test]
    fn malformed_models_are_refused() {
        assert!(CostModel::parse("").is_err());
        assert!(CostModel::parse("[[route]]\nfunction = \"login\"\n").is_err());
        let negative =
            "[[route]]\nfunction=\"a\"\nroute=\"b\"\nfixed_ms=1.0\nms_per_mib_pass=-0.5\n";
        assert!(CostModel::parse(negative).is_err());
        let intercept =
            "[[route]]\nfunction=\"a\"\nroute=\"b\"\nfixed_ms=-1.5\nms_per_mib_pass=1\n";
        assert_eq!(
            CostModel::parse(intercept).unwrap().routes[0].predict(1024, 2),
            0.5
        );
    }
}
