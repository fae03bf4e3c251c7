#!/usr/bin/env bash
# Usage: bash bench/run-sla.sh [OPEN_TICKETS]   (inside the project's virtualenv)
# Runs `kefu bench sla` on SQLite (fresh data dir) and on PostgreSQL (a fresh database created
# on the server in $KEFU_BENCH_POSTGRES_URL, default the local test server, and dropped after).
set -euo pipefail
open_tickets="${1:-1000000}"
postgres="${KEFU_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
echo "sqlite:     $(KEFU_DATABASE_URL= kefu bench sla --open-tickets "$open_tickets")"
echo "postgresql: $(KEFU_DATABASE_URL="$postgres" kefu bench sla --open-tickets "$open_tickets")"
