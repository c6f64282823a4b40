//! Findings: what the doctor reports, one line each.

use std::fmt;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The configuration is refused or unsafe: exit 1.
    Error,
    /// Worth a look; does not fail the run.
    Warning,
}

/// One problem in one configuration target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// A stable id, e.g. `wildcard-origin`.
    pub id: &'static str,
    /// The configuration it is about, e.g. `wrangler.toml [env.production]`.
    pub target: String,
    /// The variable concerned, when there is one.
    pub variable: Option<String>,
    /// What is wrong and what to do; never quotes a value.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}[{}] {}", self.id, self.target)?;
        if let Some(variable) = &self.variable {
            write!(f, " {variable}")?;
        }
        write!(f, ": {}", self.message)
    }
}
