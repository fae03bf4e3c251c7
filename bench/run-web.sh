#!/usr/bin/env bash
# Usage: bash bench/run-web.sh [TICKETS]   (inside the project's virtualenv)
# Server-side render time of the queue page and the ticket page (issue 4), SQLite, fresh data dir.
set -euo pipefail
tickets="${1:-1000000}"
echo "sqlite:     $(KEFU_DATABASE_URL= kefu bench web --tickets "$tickets")"
