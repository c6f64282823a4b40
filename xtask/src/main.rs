//! `cargo xtask <command>`: the one entry point for developing edgeauth.
//!
//! Each command wraps the tool that does the work (so the README's
//! `bash tools/dev.sh` and `bash tools/test.sh` stay what they are):
//!
//! | command | runs |
//! |---|---|
//! | `dev [--spin]` | `bash tools/dev.sh`: the four functions on `http://127.0.0.1:8787` |
//! | `build [--spin] [args]` | `node tools/build.mjs` (Workers) or `node tools/build-spin.mjs` |
//! | `test` | `bash tools/test.sh`: every test, what CI runs |
//! | `quick` | `bash tools/test.sh --quick`: format, lints, unit tests, a slice of the Workers suite |
//! | `bench [args]` | `bash bench/run.sh`: the benchmark report |
//! | `doctor [args]` | the config doctor (`tools/doctor`) |
//! | `manifests` | writes the route lists of the manifests from the route tables |
//! | `deps [-v]` | the layer check of `edgeauth-core` and `edgeauth-primitives` |
//!
//! `manifests` and `deps` also run in the test command: the first as the core's test
//! `every_manifest_lists_the_routes_of_the_route_tables`, the second as this crate's
//! test `the_core_and_the_primitives_keep_their_layers`.

mod deps;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <command> [args]

  dev [--spin]          run the four functions locally (bash tools/dev.sh)
  build [--spin] [...]  build the Workers (node tools/build.mjs) or the Spin components
  test                  every test, what CI runs (bash tools/test.sh)
  quick                 format, lints, unit tests, a Workers slice (bash tools/test.sh --quick)
  bench [...]           the benchmark report (bash bench/run.sh)
  doctor [...]          the config doctor (tools/doctor)
  manifests             write the manifests' route lists from the route tables
  deps [-v]             check the layer order of the core and the primitives
";

/// The repository root (this crate is `xtask/`).
pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Runs `program args` in the repository root with the terminal attached.
fn run(program: &str, args: &[&str], env: &[(&str, &str)]) -> ExitCode {
    let mut command = Command::new(program);
    command.args(args).current_dir(repo_root());
    for (name, value) in env {
        command.env(name, value);
    }
    match command.status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => ExitCode::from(u8::try_from(status.code().unwrap_or(1)).unwrap_or(1)),
        Err(error) => {
            eprintln!("xtask: cannot run {program}: {error}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    match command.as_str() {
        "dev" => run("bash", &[&["tools/dev.sh"], &rest[..]].concat(), &[]),
        "build" if rest.first() == Some(&"--spin") => run(
            "node",
            &[&["tools/build-spin.mjs"], &rest[1..]].concat(),
            &[],
        ),
        "build" => run("node", &[&["tools/build.mjs"], &rest[..]].concat(), &[]),
        "test" => run("bash", &["tools/test.sh"], &[]),
        "quick" => run("bash", &["tools/test.sh", "--quick"], &[]),
        "bench" => run("bash", &[&["bench/run.sh"], &rest[..]].concat(), &[]),
        "doctor" => run(
            "cargo",
            &[&["run", "-q", "-p", "edgeauth-doctor", "--"], &rest[..]].concat(),
            &[],
        ),
        // The generator is the core's drift test in write mode; `--all-features` is the
        // test command's feature set, so it reuses that build.
        "manifests" => run(
            "cargo",
            &[
                "test",
                "-q",
                "-p",
                "edgeauth-core",
                "--all-features",
                "--lib",
                "every_manifest_lists_the_routes_of_the_route_tables",
                "--",
                "--nocapture",
            ],
            &[("EDGEAUTH_WRITE_MANIFESTS", "1")],
        ),
        "deps" => {
            let verbose = rest.iter().any(|a| *a == "-v" || *a == "--verbose");
            match deps::check_repository(&repo_root(), verbose) {
                Ok((text, ok)) => {
                    print!("{text}");
                    if ok {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::FAILURE
                    }
                }
                Err(error) => {
                    eprintln!("xtask deps: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprint!("xtask: unknown command {other:?}\n\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}
