#!/usr/bin/env bash
# One entry point that sets everything up on a fresh machine, then runs the main job or the tests.
#   scripts/dev.sh start   install, build, fetch the local model, start the server + demo page
#   scripts/dev.sh test    install (with Chromium for the widget tests), build, fetch the model, run every test
# Each step is skipped when already done, so running it again is quick.
set -euo pipefail
cd "$(dirname "$0")/.."
task="${1:-start}"
PNPM_VERSION=10.34.9

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Need root to run: $*" >&2; exit 1
  fi
}

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "Node.js 20 or newer is required (found: $(node -v 2>/dev/null || echo none))." >&2
  exit 1
fi

if ! command -v pnpm >/dev/null || [ "$(pnpm -v)" != "$PNPM_VERSION" ]; then
  step "Installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" --no-fund --no-audit
fi

if [ "$task" = test ] && [ -z "${CHROME_PATH:-}" ] && ! command -v chromium >/dev/null; then
  step "Installing Chromium (Debian package) for the widget tests"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi

step "Installing dependencies"
pnpm install --frozen-lockfile

step "Building the packages"
pnpm run build

if [ -z "${OPENAI_API_KEY:-}" ] || [ "$task" = test ]; then
  step "Making sure the local model is present (fetched once, SHA-256 verified)"
  pnpm models pull
fi

case "$task" in
  start) step "Starting VibhavaFusion"; exec pnpm start ;;
  test)
    # Every check, one at a time; a failure does not stop the rest. The closing table lists each
    # package with its counts (failures first) and the exit status is non-zero if any failed.
    step "Running the tests"
    exec node scripts/run-tests.mjs
    ;;
  *) echo "Usage: scripts/dev.sh start|test" >&2; exit 2 ;;
esac
