//! Native column of the benchmark.
//!
//! - `edgeauth-bench-native <op> <n> <rounds>`: runs `<op>` `n` times per round and
//!   prints one JSON array of per-round milliseconds (three untimed operations first);
//! - `edgeauth-bench-native serve`: a long-lived process, like a Worker's isolate: reads
//!   `<op> <n>` lines on stdin and answers each with the milliseconds `n` operations
//!   took (bench/run.mjs interleaves it with the Workers, warm-up included).
//!
//! Ops: `argon2-hash`, `argon2-verify`, `jwt-sign`, `jwt-verify`, `jwt-verify-cached`
//! (see `ops.rs`).

#[path = "../../shared/ops.rs"]
mod ops;

use std::io::{BufRead, Write};
use std::time::Instant;

use edgeauth_core::Config;

struct Bench {
    config: Config,
    stored: String,
    token: String,
    now_ms: Box<dyn Fn() -> f64>,
}

impl Bench {
    fn new() -> Self {
        let origin = Instant::now();
        let epoch_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs_f64() * 1000.0)
            .unwrap_or(0.0);
        // Wall-clock milliseconds (tokens carry real times), read from a monotonic clock.
        let now_ms = Box::new(move || epoch_ms + origin.elapsed().as_secs_f64() * 1000.0);
        let config = ops::config();
        let stored = ops::stored_hash(&config);
        let token = ops::fresh_token(&config, now_ms() as u64);
        Self {
            config,
            stored,
            token,
            now_ms,
        }
    }

    fn run(&self, op: &str, n: u32) -> Option<f64> {
        let now_ms = &*self.now_ms;
        Some(match op {
            "argon2-hash" => ops::argon2_hash(&self.config, n, now_ms),
            "argon2-verify" => ops::argon2_verify(&self.config, &self.stored, n, now_ms),
            "jwt-sign" => ops::jwt_sign(&self.config, n, now_ms),
            "jwt-verify" => ops::jwt_verify(&self.config, &self.token, n, now_ms),
            "jwt-verify-cached" => ops::jwt_verify_cached(&self.config, &self.token, n, now_ms),
            "api-me-cached" => ops::api_me("cached", n, now_ms),
            "api-me-strict" => ops::api_me("strict", n, now_ms),
            _ => return None,
        })
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = Bench::new();
    match args.as_slice() {
        [serve] if serve == "serve" => {
            let stdout = std::io::stdout();
            for line in std::io::stdin().lock().lines() {
                let line = line.unwrap_or_default();
                let mut parts = line.split_whitespace();
                let (Some(op), Some(n)) = (parts.next(), parts.next().and_then(|n| n.parse().ok()))
                else {
                    continue;
                };
                let answer = bench
                    .run(op, n)
                    .map_or_else(|| format!("error unknown op {op}"), |ms| ms.to_string());
                let mut out = stdout.lock();
                let _ = writeln!(out, "{answer}");
                let _ = out.flush();
            }
        }
        [op, n, rounds] => {
            let n: u32 = n.parse().unwrap_or_else(|_| panic!("n must be a number"));
            let rounds: u32 = rounds
                .parse()
                .unwrap_or_else(|_| panic!("rounds must be a number"));
            for _ in 0..3 {
                bench
                    .run(op, 1)
                    .unwrap_or_else(|| panic!("unknown op {op}"));
            }
            let times: Vec<f64> = (0..rounds).filter_map(|_| bench.run(op, n)).collect();
            println!("{}", serde_json::json!(times));
        }
        _ => {
            eprintln!("usage: edgeauth-bench-native <op> <n> <rounds> | serve");
            std::process::exit(2);
        }
    }
}
