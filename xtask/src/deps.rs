//! `cargo xtask deps`: the dependency direction inside a crate, checked (for
//! `edgeauth-core` and `edgeauth-primitives`; the test below runs it in the test
//! command).
//!
//! Crate boundaries make the compiler refuse a wrong-way import between crates
//! (`edgeauth-primitives` cannot name `edgeauth-core`). Inside one crate it would not,
//! so this check reads the module tree and every `crate::`/`super::` path, and
//! fails when
//! - a top-level module names a module of a *higher* layer ([`CORE_LAYERS`]), or
//! - two modules name each other, at the top level or among the children of one
//!   module (a two-way pair: neither can be understood, tested or moved alone).
//!
//! Test-only code (`#[cfg(test)]` items and modules) may reach upwards — a flow's tests
//! drive it through the function that serves it — so its edges are reported, never
//! refused. `docs/ARCHITECTURE.md` shows the output.

mod scan;

use core::fmt::Write as _;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub(crate) use scan::read_crate;
use scan::Crate;

/// A layer: a name and the top-level modules in it. Lower layers come first; a module
/// may name modules of its own layer or below, never above.
pub(crate) type Layers = &'static [(&'static str, &'static [&'static str])];

/// The layers of `edgeauth-primitives`, bottom first.
pub(crate) const PRIMITIVES_LAYERS: Layers = &[
    ("foundations", &["encoding", "env", "outbound", "secret"]),
    ("crypto and stores", &["crypto", "store"]),
];

/// The layers of `edgeauth-core`, bottom first (docs/ARCHITECTURE.md, "Layers").
pub(crate) const CORE_LAYERS: Layers = &[
    ("config", &["config"]),
    ("model", &["error", "http", "method", "model"]),
    ("policies", &["policy"]),
    ("isolate memory", &["memory"]),
    ("request context", &["ctx"]),
    ("flows", &["flows"]),
    ("functions", &["app", "functions", "testkit"]),
];

/// What the check found.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// Top-level modules and their layer index (`None`: not in the table).
    pub(crate) units: BTreeMap<String, Option<usize>>,
    /// Top-level edges in production code: from → to → first place.
    pub(crate) edges: BTreeMap<(String, String), String>,
    /// Top-level edges that only test code makes.
    pub(crate) test_edges: BTreeMap<(String, String), String>,
    /// Production edges pointing to a higher layer.
    pub(crate) upward: Vec<(String, String, String)>,
    /// Two-way pairs between top-level modules (production code).
    pub(crate) two_way: Vec<(String, String)>,
    /// Two-way pairs among the children of one module (production code).
    pub(crate) two_way_siblings: Vec<(String, String)>,
    /// Two-way pairs between any two modules (production code), e.g. `a::x <-> b::y`.
    pub(crate) two_way_modules: Vec<(String, String)>,
    /// Two-way pairs counting test code as well, with the edges only tests make.
    pub(crate) two_way_with_tests: Vec<(String, String)>,
    /// Production edges between modules of different top-level modules.
    pub(crate) module_edges: BTreeSet<(String, String)>,
    /// Modules in total.
    pub(crate) modules: usize,
}

impl Report {
    /// Whether the crate keeps its layer order.
    pub(crate) fn ok(&self) -> bool {
        self.upward.is_empty()
            && self.two_way.is_empty()
            && self.two_way_siblings.is_empty()
            && self.two_way_modules.is_empty()
            && self.units.values().all(Option::is_some)
    }
}

fn top(path: &str) -> &str {
    path.split("::").next().unwrap_or(path)
}

fn is_ancestor(ancestor: &str, of: &str) -> bool {
    ancestor.is_empty() || of == ancestor || of.starts_with(&format!("{ancestor}::"))
}

/// The sibling pair an edge between two modules is, if they share a parent and
/// neither contains the other: the two children of the common parent.
fn siblings(from: &str, to: &str) -> Option<(String, String)> {
    let a: Vec<&str> = from.split("::").collect();
    let b: Vec<&str> = to.split("::").collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 || common >= a.len() || common >= b.len() {
        return None;
    }
    Some((a[..=common].join("::"), b[..=common].join("::")))
}

fn pairs(edges: &BTreeSet<(String, String)>) -> Vec<(String, String)> {
    edges
        .iter()
        .filter(|(a, b)| a < b && edges.contains(&(b.clone(), a.clone())))
        .cloned()
        .collect()
}

/// Checks `krate` against `layers`.
pub(crate) fn check(krate: &Crate, layers: Layers, base: &Path) -> Report {
    let layer_of = |unit: &str| layers.iter().position(|(_, units)| units.contains(&unit));
    let mut report = Report {
        modules: krate.modules.len(),
        ..Report::default()
    };
    for module in krate.modules.values() {
        if !module.path.is_empty() && !module.test {
            let unit = top(&module.path).to_string();
            report.units.insert(unit.clone(), layer_of(&unit));
        }
    }
    let mut prod = BTreeSet::new();
    let mut all = BTreeSet::new();
    let mut sibling_edges = BTreeSet::new();
    let mut module_edges = BTreeSet::new();
    for reference in &krate.references {
        if reference.from.is_empty() || is_ancestor(&reference.to, &reference.from) {
            continue;
        }
        let file = reference.file.strip_prefix(base).unwrap_or(&reference.file);
        let place = format!("{}:{}", file.display(), reference.line);
        if !reference.test {
            if !is_ancestor(&reference.from, &reference.to) {
                module_edges.insert((reference.from.clone(), reference.to.clone()));
            }
            if let Some(pair) = siblings(&reference.from, &reference.to) {
                if top(&pair.0) == top(&pair.1) {
                    sibling_edges.insert(pair);
                }
            }
        }
        let (from, to) = (
            top(&reference.from).to_string(),
            top(&reference.to).to_string(),
        );
        if from == to {
            continue;
        }
        all.insert((from.clone(), to.clone()));
        if reference.test {
            report.test_edges.entry((from, to)).or_insert(place);
        } else {
            prod.insert((from.clone(), to.clone()));
            report.edges.entry((from, to)).or_insert(place);
        }
    }
    report.test_edges.retain(|edge, _| !prod.contains(edge));
    for ((from, to), place) in &report.edges {
        if let (Some(Some(a)), Some(Some(b))) = (report.units.get(from), report.units.get(to)) {
            if b > a {
                report
                    .upward
                    .push((from.clone(), to.clone(), place.clone()));
            }
        }
    }
    report.two_way = pairs(&prod);
    report.two_way_siblings = pairs(&sibling_edges);
    report.two_way_modules = pairs(&module_edges);
    report.module_edges = module_edges
        .into_iter()
        .filter(|(a, b)| top(a) != top(b))
        .collect();
    report.two_way_with_tests = pairs(&all);
    report
}

/// The report as text (what `cargo xtask deps` prints).
pub(crate) fn render(
    name: &str,
    root: &Path,
    report: &Report,
    layers: Layers,
    verbose: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{name} ({}): {} modules, {} top-level",
        root.display(),
        report.modules,
        report.units.len()
    );
    for (index, (layer, _)) in layers.iter().enumerate().rev() {
        let units: Vec<&str> = report
            .units
            .iter()
            .filter(|(_, l)| **l == Some(index))
            .map(|(u, _)| u.as_str())
            .collect();
        let _ = writeln!(out, "  layer {index} {layer:<18} {}", units.join(", "));
    }
    let unplaced: Vec<&str> = report
        .units
        .iter()
        .filter(|(_, l)| l.is_none())
        .map(|(u, _)| u.as_str())
        .collect();
    if !unplaced.is_empty() {
        let _ = writeln!(out, "  NOT IN THE LAYER TABLE: {}", unplaced.join(", "));
    }
    let _ = writeln!(
        out,
        "edges between top-level modules: {} in production code, {} more only in tests",
        report.edges.len(),
        report.test_edges.len()
    );
    if verbose {
        for ((from, to), place) in &report.edges {
            let _ = writeln!(out, "  {from} -> {to}   ({place})");
        }
        for ((from, to), place) in &report.test_edges {
            let _ = writeln!(out, "  {from} -> {to}   (tests only: {place})");
        }
    }
    let _ = writeln!(out, "upward edges: {}", report.upward.len());
    for (from, to, place) in &report.upward {
        let _ = writeln!(out, "  {from} -> {to}   ({place})");
    }
    let _ = writeln!(out, "two-way pairs (top level): {}", report.two_way.len());
    for (a, b) in &report.two_way {
        let _ = writeln!(out, "  {a} <-> {b}");
    }
    let _ = writeln!(
        out,
        "two-way pairs (children of one module): {}",
        report.two_way_siblings.len()
    );
    for (a, b) in &report.two_way_siblings {
        let _ = writeln!(out, "  {a} <-> {b}");
    }
    let _ = writeln!(
        out,
        "two-way pairs (any two modules): {}",
        report.two_way_modules.len()
    );
    for (a, b) in &report.two_way_modules {
        let _ = writeln!(out, "  {a} <-> {b}");
    }
    let test_only: Vec<&(String, String)> = report
        .two_way_with_tests
        .iter()
        .filter(|pair| !report.two_way.contains(pair))
        .collect();
    let _ = writeln!(
        out,
        "two-way pairs that only test code closes (reported, allowed): {}",
        test_only.len()
    );
    for (a, b) in test_only {
        let which = if report.test_edges.contains_key(&(a.clone(), b.clone())) {
            format!("{a} -> {b} in tests")
        } else {
            format!("{b} -> {a} in tests")
        };
        let _ = writeln!(out, "  {a} <-> {b}   ({which})");
    }
    let _ = writeln!(out, "{}", if report.ok() { "ok" } else { "FAILED" });
    out
}

/// Checks both crates of the repository at `root`: the report's text and whether
/// both keep their layers.
pub(crate) fn check_repository(root: &Path, verbose: bool) -> Result<(String, bool), String> {
    let mut text = String::new();
    let mut ok = true;
    for (name, lib, layers) in [
        (
            "edgeauth-primitives",
            "shared/primitives/src/lib.rs",
            PRIMITIVES_LAYERS,
        ),
        ("edgeauth-core", "shared/core/src/lib.rs", CORE_LAYERS),
    ] {
        let krate = read_crate(&root.join(lib))?;
        let report = check(&krate, layers, root);
        text.push_str(&render(name, Path::new(lib), &report, layers, verbose));
        ok &= report.ok();
    }
    Ok((text, ok))
}

#[cfg(test)]
mod tests;
