//! Spin's HTTP routing rules, as a pure function of the request path.
//!
//! A route is either exact (`/auth/login`) or a trailing wildcard
//! (`/auth/...`, which matches `/auth` and everything below it; `/...` alone
//! matches every path). Segments written `:name` match any single segment.
//! The most specific route wins: an exact route beats any wildcard, and among
//! wildcards the one with the longest prefix wins; at equal length, literal
//! segments beat `:name` segments. Matching is by whole segments, so
//! `/api/...` does not match `/apikeys`.

use wasmtime::{Result, bail};

/// A routing table built once from the manifest.
#[derive(Debug)]
pub struct Router {
    /// Sorted from most to least specific.
    routes: Vec<Route>,
}

#[derive(Debug)]
struct Route {
    pattern: String,
    segments: Vec<Segment>,
    wildcard: bool,
    component: String,
}

#[derive(Debug, PartialEq)]
enum Segment {
    Literal(String),
    Param,
}

/// The outcome of routing one request path.
#[derive(Debug, PartialEq)]
pub struct Match<'a> {
    /// The component that serves the request.
    pub component: &'a str,
    /// The route as written in the manifest (`spin-matched-route`).
    pub pattern: &'a str,
    /// The route without its `/...` suffix (`spin-component-route`).
    pub component_route: String,
    /// The rest of the path after the matched prefix (`spin-path-info`).
    pub path_info: String,
}

impl Router {
    /// Builds a router from `(pattern, component)` pairs; duplicate or
    /// malformed patterns are an error.
    pub fn new(routes: &[(String, String)]) -> Result<Self> {
        let mut parsed: Vec<Route> = Vec::with_capacity(routes.len());
        for (pattern, component) in routes {
            if !pattern.starts_with('/') {
                bail!("route {pattern:?} must start with `/`");
            }
            let (prefix, wildcard) = match pattern.strip_suffix("/...") {
                Some(prefix) => (prefix, true),
                None => (pattern.as_str(), false),
            };
            let segments = split(prefix)
                .map(|s| match s.strip_prefix(':') {
                    Some(_) => Segment::Param,
                    None => Segment::Literal(s.to_owned()),
                })
                .collect();
            let route = Route {
                pattern: pattern.clone(),
                segments,
                wildcard,
                component: component.clone(),
            };
            if parsed
                .iter()
                .any(|r| r.wildcard == route.wildcard && r.segments == route.segments)
            {
                bail!("duplicate route {pattern:?}");
            }
            parsed.push(route);
        }
        parsed.sort_by_key(|r| {
            let params = r.segments.iter().filter(|s| **s == Segment::Param).count();
            (r.wildcard, std::cmp::Reverse(r.segments.len()), params)
        });
        Ok(Self { routes: parsed })
    }

    /// Finds the route for `path` (the path only, without the query).
    pub fn route(&self, path: &str) -> Option<Match<'_>> {
        let parts: Vec<&str> = split(path).collect();
        self.routes.iter().find_map(|r| {
            let fits = if r.wildcard {
                parts.len() >= r.segments.len()
            } else {
                parts.len() == r.segments.len()
            };
            let matches = fits
                && r.segments.iter().zip(&parts).all(|(seg, part)| match seg {
                    Segment::Literal(lit) => lit == part,
                    Segment::Param => !part.is_empty(),
                });
            matches.then(|| {
                let consumed: usize = parts[..r.segments.len()].iter().map(|p| p.len() + 1).sum();
                Match {
                    component: &r.component,
                    pattern: &r.pattern,
                    component_route: r
                        .pattern
                        .strip_suffix("/...")
                        .unwrap_or(&r.pattern)
                        .to_owned(),
                    path_info: path.get(consumed..).unwrap_or("").to_owned(),
                }
            })
        })
    }
}

/// The segments of an absolute path: `/` has none, `/a/` has `a` and ``.
fn split(path: &str) -> impl Iterator<Item = &str> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    trimmed.split('/').filter(move |_| !trimmed.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(routes: &[(&str, &str)]) -> Router {
        let routes: Vec<_> = routes
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect();
        Router::new(&routes).unwrap()
    }

    fn target(r: &Router, path: &str) -> Option<(String, String)> {
        r.route(path).map(|m| (m.component.to_owned(), m.path_info))
    }

    #[test]
    fn exact_route_matches_only_its_path() {
        let r = router(&[("/auth/login", "login")]);
        assert_eq!(target(&r, "/auth/login"), Some(("login".into(), "".into())));
        assert_eq!(target(&r, "/auth/login/mfa"), None);
        assert_eq!(target(&r, "/auth"), None);
    }

    #[test]
    fn wildcard_matches_prefix_and_below_by_whole_segments() {
        let r = router(&[("/api/...", "api")]);
        assert_eq!(target(&r, "/api"), Some(("api".into(), "".into())));
        assert_eq!(
            target(&r, "/api/users/1"),
            Some(("api".into(), "/users/1".into()))
        );
        assert_eq!(target(&r, "/apikeys"), None);
    }

    #[test]
    fn most_specific_route_wins() {
        let r = router(&[
            ("/...", "fallback"),
            ("/auth/...", "auth"),
            ("/auth/session/...", "refresh"),
            ("/auth/session/refresh", "exact"),
        ]);
        assert_eq!(target(&r, "/auth/session/refresh").unwrap().0, "exact");
        assert_eq!(target(&r, "/auth/session/logout").unwrap().0, "refresh");
        assert_eq!(target(&r, "/auth/login").unwrap().0, "auth");
        assert_eq!(target(&r, "/"), Some(("fallback".into(), "/".into())));
        assert_eq!(
            target(&r, "/nope").unwrap(),
            ("fallback".into(), "/nope".into())
        );
    }

    #[test]
    fn literal_segment_beats_parameter() {
        let r = router(&[("/users/:id", "param"), ("/users/me", "me")]);
        assert_eq!(target(&r, "/users/me").unwrap().0, "me");
        assert_eq!(target(&r, "/users/42").unwrap().0, "param");
        assert_eq!(target(&r, "/users/"), None);
    }

    #[test]
    fn reports_matched_and_component_route() {
        let r = router(&[("/auth/...", "auth")]);
        let m = r.route("/auth/x").unwrap();
        assert_eq!(
            (m.pattern, m.component_route.as_str()),
            ("/auth/...", "/auth")
        );
    }

    #[test]
    fn rejects_duplicates_and_relative_routes() {
        let dup = [
            ("/a".to_string(), "x".to_string()),
            ("/a".to_string(), "y".to_string()),
        ];
        assert!(Router::new(&dup).is_err());
        assert!(Router::new(&[("a".to_string(), "x".to_string())]).is_err());
    }
}
