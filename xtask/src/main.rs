//! `cargo xtask`: the developer entry point of edgeauth.
mod deps;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v" || a == "--verbose");
    let root = args
        .iter()
        .position(|a| a == "--root")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("shared/core/src/lib.rs"));
    let krate = match deps::read_crate(&root) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let report = deps::check(
        &krate,
        deps::CORE_LAYERS,
        root.parent()
            .and_then(Path::parent)
            .and_then(Path::parent)
            .unwrap_or(&root),
    );
    print!(
        "{}",
        deps::render("edgeauth-core", &root, &report, deps::CORE_LAYERS, verbose)
    );
    if args.iter().any(|a| a == "--modules") {
        for (a, b) in &report.module_edges {
            println!("  {a} -> {b}");
        }
    }
    if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
