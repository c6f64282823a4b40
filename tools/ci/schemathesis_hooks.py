"""Schemathesis checks of docs/contract.md §2 that the OpenAPI document cannot express.

Every response, whatever its status, must carry the security headers, and every
`/auth/` and `/api/` response `Cache-Control: no-store`. Loaded through
SCHEMATHESIS_HOOKS by tools/ci/api-fuzz.mjs.
"""

import re

import schemathesis

REQUIRED = {
    "content-security-policy": lambda v: "default-src 'none'" in v and "frame-ancestors 'none'" in v,
    "x-content-type-options": lambda v: v == "nosniff",
    "x-frame-options": lambda v: v == "DENY",
    "referrer-policy": lambda v: v in ("no-referrer", "strict-origin-when-cross-origin"),
    "permissions-policy": lambda v: all(p in v for p in ("camera=()", "microphone=()", "geolocation=()")),
    "cross-origin-opener-policy": lambda v: v == "same-origin",
    "cross-origin-resource-policy": lambda v: v == "same-origin",
    "x-xss-protection": lambda v: v == "0",
    "x-request-id": lambda v: re.fullmatch(r"[0-9a-f]{32}", v) is not None,
}


@schemathesis.check
def security_headers(ctx, response, case):
    headers = {k.lower(): v[0] if isinstance(v, list) else v for k, v in response.headers.items()}
    for name, ok in REQUIRED.items():
        value = headers.get(name)
        if value is None:
            raise AssertionError(f"missing security header {name}")
        if not ok(value):
            raise AssertionError(f"security header {name} has value {value!r}")
    path = case.path
    if path.startswith("/auth/") or path.startswith("/api/"):
        if headers.get("cache-control") != "no-store":
            raise AssertionError("Cache-Control: no-store missing on an /auth or /api response")
