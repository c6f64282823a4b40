//! Configuration parsing (`Config::from_vars`) over `NAME=value` lines: never panics;
//! what it accepts outside development is safe; errors never quote a value.
#![no_main]
use edgeauth_core::Config;
use edgeauth_fuzz::{check_config, check_config_error, vars_from};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Config::from_vars(&vars_from(&String::from_utf8_lossy(data))) {
        Ok(config) => check_config(&config),
        Err(error) => check_config_error(&error),
    }
});
