// Example: your own Hono Worker next to edgeauth on the same zone (README.md), routed at
// /hono-app*. Three routes:
//
//   GET  /hono-app/me      any signed-in user
//   GET  /hono-app/admin   users with the `admin` role
//   POST /hono-app/notes   any signed-in user; a cookie request needs the CSRF header
//
// The middleware does edgeauth's checks (token with WebCrypto, CSRF, the session over
// the EDGEAUTH service binding); the routes only say what they need. In your project
// the import is "@edgeauth/guard/hono".
import { Hono } from "hono";
import { edgeauth, requireRole } from "../../clients/guard-js/hono.js";

const app = new Hono();

// Answers for one caller: never cached by anything in between.
app.use("/hono-app/*", async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
  c.header("X-Content-Type-Options", "nosniff");
});
app.use("/hono-app/*", edgeauth());

app.get("/hono-app/me", (c) => {
  const { userId, sessionId, roles, via } = c.get("principal");
  return c.json({ user_id: userId, session_id: sessionId, roles, via });
});
app.get("/hono-app/admin", requireRole("admin"), (c) => c.json({ admin: true, user_id: c.get("principal").userId }));
app.post("/hono-app/notes", async (c) => {
  const note = await c.req.text();
  return c.json({ saved: true, by: c.get("principal").userId, bytes: note.length }, 201);
});

export default app;
