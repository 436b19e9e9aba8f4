#!/usr/bin/env bash
# Installs whatever is missing, then builds and serves the app on http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh
exec trunk serve --release "$@"
