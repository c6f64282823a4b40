//! Your own Rust Worker, protected by edgeauth sessions (README.md). Three routes:
//!
//! | route | who |
//! |---|---|
//! | `GET /rust-app/me` | any signed-in user |
//! | `GET /rust-app/admin` | users with the `admin` role |
//! | `POST /rust-app/notes` | any signed-in user; a cookie request needs the CSRF header |
//!
//! `edgeauth_guard::workers::authenticate` does the checks (token, CSRF, session over
//! the `EDGEAUTH` service binding); the handler only decides what the route needs.

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod worker_entry {
    use edgeauth_guard::workers::{authenticate, refusal};
    use edgeauth_guard::{ApiError, Principal};
    use worker::{event, Context, Env, Method, Request, Response, Result};

    /// A JSON answer for one caller: never cached by anything in between.
    fn json(value: &serde_json::Value, status: u16) -> core::result::Result<Response, ApiError> {
        let response = Response::from_json(value)
            .map_err(|_| ApiError::Internal(edgeauth_guard::Internal("response")))?
            .with_status(status);
        let headers = response.headers().clone();
        let set = |name: &str, value: &str| headers.set(name, value);
        set("Cache-Control", "no-store")
            .and_then(|()| set("X-Content-Type-Options", "nosniff"))
            .map_err(|_| ApiError::Internal(edgeauth_guard::Internal("headers")))?;
        Ok(response.with_headers(headers))
    }

    fn principal_json(principal: &Principal) -> serde_json::Value {
        serde_json::json!({
            "user_id": principal.user_id,
            "session_id": principal.session_id,
            "roles": principal.roles,
            "via": match principal.via {
                edgeauth_guard::Via::Bearer => "bearer",
                edgeauth_guard::Via::Cookie => "cookie",
            },
        })
    }

    async fn route(request: &mut Request, env: &Env) -> core::result::Result<Response, ApiError> {
        let path = request.path();
        let method = request.method();
        let known = matches!(
            (&method, path.as_str()),
            (
                Method::Get | Method::Head,
                "/rust-app/me" | "/rust-app/admin"
            ) | (Method::Post, "/rust-app/notes")
        );
        if !known {
            return Err(ApiError::NotFound);
        }
        let principal = authenticate(request, env).await?;
        match path.as_str() {
            "/rust-app/admin" => {
                principal.require_role("admin")?;
                json(
                    &serde_json::json!({ "admin": true, "user_id": principal.user_id }),
                    200,
                )
            }
            "/rust-app/notes" => {
                let note = request.text().await.unwrap_or_default();
                json(
                    &serde_json::json!({ "saved": true, "by": principal.user_id, "bytes": note.len() }),
                    201,
                )
            }
            _ => json(&principal_json(&principal), 200),
        }
    }

    #[event(fetch)]
    async fn fetch(mut request: Request, env: Env, _ctx: Context) -> Result<Response> {
        match route(&mut request, &env).await {
            Ok(response) => Ok(response),
            Err(error) => refusal(&error, &request),
        }
    }
}
