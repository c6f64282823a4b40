//! Your own Spin component, protected by edgeauth sessions (README.md). Three routes:
//!
//! | route | who |
//! |---|---|
//! | `GET /spin-app/me` | any signed-in user |
//! | `GET /spin-app/admin` | users with the `admin` role |
//! | `POST /spin-app/notes` | any signed-in user; a cookie request needs the CSRF header |
//!
//! `edgeauth_guard::spin::authenticate` does the checks (token against edgeauth's key
//! set, CSRF, session by edgeauth's introspection over HTTP to `edgeauth_url`); on
//! Spin every request asks edgeauth (an instance serves one request).

#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
mod spin_entry {
    use edgeauth_guard::spin::{authenticate, refusal};
    use edgeauth_guard::{ApiError, Principal, Via};
    use spin_sdk::http::{IntoResponse, Request};
    use spin_sdk::http_service;

    /// A JSON answer for one caller: never cached by anything in between.
    fn json(value: &serde_json::Value, status: u16) -> http::Response<String> {
        http::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .header("cache-control", "no-store")
            .header("x-content-type-options", "nosniff")
            .body(value.to_string())
            .unwrap_or_else(|_| http::Response::new(String::new()))
    }

    fn principal_json(principal: &Principal) -> serde_json::Value {
        serde_json::json!({
            "user_id": principal.user_id,
            "session_id": principal.session_id,
            "roles": principal.roles,
            "via": match principal.via {
                Via::Bearer => "bearer",
                Via::Cookie => "cookie",
            },
        })
    }

    async fn route(request: &Request) -> Result<http::Response<String>, ApiError> {
        let path = request.uri().path().to_string();
        let method = request.method().as_str().to_string();
        let known = matches!(
            (method.as_str(), path.as_str()),
            ("GET" | "HEAD", "/spin-app/me" | "/spin-app/admin") | ("POST", "/spin-app/notes")
        );
        if !known {
            return Err(ApiError::NotFound);
        }
        let principal = authenticate(request).await?;
        Ok(match path.as_str() {
            "/spin-app/admin" => {
                principal.require_role("admin")?;
                json(
                    &serde_json::json!({ "admin": true, "user_id": principal.user_id }),
                    200,
                )
            }
            "/spin-app/notes" => json(
                &serde_json::json!({ "saved": true, "by": principal.user_id }),
                201,
            ),
            _ => json(&principal_json(&principal), 200),
        })
    }

    #[http_service]
    async fn handle(request: Request) -> impl IntoResponse {
        match route(&request).await {
            Ok(response) => response,
            Err(error) => refusal(&error, &request),
        }
    }
}
