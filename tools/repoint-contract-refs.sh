#!/usr/bin/env bash
# Repoints every citation of the contract that used to live outside the repository — by
# bare name or by a ../shared path, in any form ("§5", "§§4–5", "(…)", "…'s") — to
# docs/contract.md, in every tracked text file but generated ones and the two files that
# must name it (tests/docs.test.mjs checks the result). Idempotent. Run from anywhere inside the repository.
set -euo pipefail; cd "$(git rev-parse --show-toplevel)"; git grep -lzI -e 'API\.md' -- . ':!.secrets.baseline' ':!*.lock' ':!package-lock.json' ':!tests/docs.test.mjs' ':!tools/repoint-contract-refs.sh' | xargs -0 -r sed -i -E 's#(\.\./)*(shared/)?\bAPI\.md\b#docs/contract.md#g'
