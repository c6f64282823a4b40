//! `edgeauth-doctor`: checks the deployment configuration for one environment.
//!
//! ```text
//! edgeauth-doctor [--env production] [--root DIR] [--wrangler FILE]... [--spin FILE]
//!                 [--no-spin] [--assume-secrets-set] [--ignore-process-env]
//!                 [--trusted-proxy-header NAME]
//! ```
//!
//! Without `--wrangler`/`--spin`, it checks `wrangler.toml`, every
//! `functions/*/wrangler.toml` and `spin.toml` under `--root` (default: the current
//! directory). Prints one line per finding and a summary; exits 1 when there is an
//! error, 2 on a usage or read error, 0 otherwise.
#![allow(
    // A std command-line tool: `std` paths are the natural ones here.
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use edgeauth_doctor::{check, check_across, load_spin, load_wrangler, Options, Severity};

const USAGE: &str = "usage: edgeauth-doctor [--env development|staging|production] [--root DIR] \
[--wrangler FILE]... [--spin FILE] [--no-spin] [--assume-secrets-set] [--ignore-process-env] \
[--trusted-proxy-header NAME]";

#[derive(Debug, Default)]
struct Args {
    environment: Option<String>,
    root: Option<PathBuf>,
    wrangler: Vec<PathBuf>,
    spin: Option<PathBuf>,
    no_spin: bool,
    assume_secrets_set: bool,
    ignore_process_env: bool,
    trusted_proxy_header: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args::default();
    let mut iter = std::env::args().skip(1);
    while let Some(arg) = iter.next() {
        let mut value = |flag: &str| iter.next().ok_or(format!("{flag} needs a value"));
        match arg.as_str() {
            "--env" => args.environment = Some(value("--env")?),
            "--root" => args.root = Some(value("--root")?.into()),
            "--wrangler" => args.wrangler.push(value("--wrangler")?.into()),
            "--spin" => args.spin = Some(value("--spin")?.into()),
            "--no-spin" => args.no_spin = true,
            "--assume-secrets-set" => args.assume_secrets_set = true,
            "--ignore-process-env" => args.ignore_process_env = true,
            "--trusted-proxy-header" => {
                args.trusted_proxy_header = Some(value("--trusted-proxy-header")?)
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

/// The files to check: explicit ones, or the repository layout's.
fn discover(args: &Args, root: &Path) -> (Vec<PathBuf>, Option<PathBuf>) {
    if !args.wrangler.is_empty() || args.spin.is_some() {
        let spin = if args.no_spin {
            None
        } else {
            args.spin.clone()
        };
        return (args.wrangler.clone(), spin);
    }
    let mut wrangler = Vec::new();
    if root.join("wrangler.toml").is_file() {
        wrangler.push(PathBuf::from("wrangler.toml"));
    }
    if let Ok(entries) = std::fs::read_dir(root.join("functions")) {
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path().join("wrangler.toml"))
            .filter(|path| path.is_file())
            .filter_map(|path| path.strip_prefix(root).ok().map(Path::to_path_buf))
            .collect();
        found.sort();
        wrangler.extend(found);
    }
    let spin = (!args.no_spin && root.join("spin.toml").is_file()).then(|| "spin.toml".into());
    (wrangler, spin)
}

fn now_secs() -> u64 {
    #[allow(clippy::disallowed_methods)] // a CLI tool, not the core: wall time is fine here
    let now = std::time::SystemTime::now();
    now.duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("edgeauth-doctor: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let environment = args
        .environment
        .clone()
        .unwrap_or_else(|| "production".into());
    if !["development", "staging", "production"].contains(&environment.as_str()) {
        eprintln!("edgeauth-doctor: --env must be development, staging or production");
        return ExitCode::from(2);
    }
    let root = args.root.clone().unwrap_or_else(|| PathBuf::from("."));
    let (wrangler, spin) = discover(&args, &root);
    if wrangler.is_empty() && spin.is_none() {
        eprintln!(
            "edgeauth-doctor: no wrangler.toml or spin.toml found under {}",
            root.display()
        );
        return ExitCode::from(2);
    }
    let process_env: BTreeMap<String, String> = if args.ignore_process_env {
        BTreeMap::new()
    } else {
        std::env::vars().collect()
    };
    let options = Options {
        environment: environment.clone(),
        assume_secrets_set: args.assume_secrets_set,
        now_secs: now_secs(),
        trusted_proxy_header: args.trusted_proxy_header.clone(),
    };

    let mut targets = Vec::new();
    let files = wrangler
        .iter()
        .map(|path| (path, true))
        .chain(spin.iter().map(|path| (path, false)));
    for (path, is_wrangler) in files {
        let full = if path.is_absolute() {
            path.clone()
        } else {
            root.join(path)
        };
        let text = match std::fs::read_to_string(&full) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("edgeauth-doctor: cannot read {}: {error}", full.display());
                return ExitCode::from(2);
            }
        };
        let name = path.display().to_string();
        let loaded = if is_wrangler {
            load_wrangler(&name, &text, &environment, &process_env)
        } else {
            load_spin(&name, &text, &environment, &process_env)
        };
        match loaded {
            Ok(resolved) => targets.push(resolved),
            Err(message) => {
                eprintln!("edgeauth-doctor: {message}");
                return ExitCode::from(2);
            }
        }
    }

    println!(
        "edgeauth-doctor: checking {} configuration(s) for ENVIRONMENT={environment}{}",
        targets.len(),
        if options.assume_secrets_set {
            " (secrets assumed set)"
        } else {
            ""
        }
    );
    let (mut errors, mut warnings) = (0usize, 0usize);
    // Checks that compare configurations (the webhook Queue's producers and consumer).
    let across = check_across(&targets);
    for resolved in targets {
        let target = resolved.target.clone();
        let mut findings = check(resolved, &options);
        findings.extend(across.iter().filter(|f| f.target == target).cloned());
        if findings.is_empty() {
            println!("ok {target}");
        }
        for finding in findings {
            match finding.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
            println!("{finding}");
        }
    }
    println!("edgeauth-doctor: {errors} error(s), {warnings} warning(s)");
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
