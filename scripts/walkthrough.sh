#!/usr/bin/env bash
# The API walk-through of docs/api.md ("## Walk-through"), run exactly as written there, against
# `make dev` (needs curl and python3):
#   bash scripts/walkthrough.sh
# It makes the administrator Ada once, then runs the page's shell blocks in order. Every run
# invites new addresses, so it can be run again.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! curl -sf -o /dev/null http://127.0.0.1:3000/api/openapi.json; then
    echo "Start the local stack first (make dev), then run this again." >&2
    exit 1
fi
echo 'correct horse battery staple' | make -s create-user EMAIL=ada@example.com NAME=Ada ADMIN=1 \
    || echo "(ada@example.com exists already)"
script=$(mktemp)
trap 'rm -f "$script"' EXIT
# Every ```sh block after the heading, except the one that makes Ada (done above).
python3 - docs/api.md > "$script" <<'PY'
import re, sys
page = open(sys.argv[1]).read()
section = page.split("## Walk-through", 1)[1]
for block in re.findall(r"```sh\n(.*?)```", section, re.S):
    if "make create-user" not in block:
        print(block)
PY
bash "$script"
