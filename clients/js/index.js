// @edgeauth/client — the browser client of edgeauth's cookie-mode sessions.
// Plain ES modules with no dependencies: `import { createClient } from "/path/to/index.js"`
// works in a browser as is. Types: index.d.ts. Guide: README.md.

export { createClient } from "./src/client.js";
export { EdgeauthError } from "./src/errors.js";
