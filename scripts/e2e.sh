#!/usr/bin/env bash
# End-to-end tests of the web UI: installs what they need on a fresh machine
# (Debian's Chromium, the UI's npm packages), checks that the committed UI
# build (web/dist) and generated GraphQL types are current, builds the estate
# binary, and drives Chromium against a real `estate serve --demo`.
# Screenshots are left in web/e2e/artifacts/.
#
#   scripts/e2e.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
	echo "== installing Debian's chromium" >&2
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	$sudo apt-get update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends chromium
fi

echo "== npm ci (web/)" >&2
(cd web && npm ci --no-audit --no-fund)

echo "== UI build (codegen, typecheck, vite) matches web/dist and web/src/gql" >&2
sums() { (cd web && find dist src/gql -type f | LC_ALL=C sort | xargs sha256sum); }
before=$(sums)
(cd web && npm run build)
if [ "$before" != "$(sums)" ]; then
	diff <(echo "$before") <(sums) >&2 || true
	echo "web/dist or web/src/gql were not built from the current sources: run (cd web && npm run build) and commit both" >&2
	exit 1
fi

echo "== estate binary" >&2
bin_dir=$(mktemp -d)
trap 'rm -rf "$bin_dir"' EXIT
go build -o "$bin_dir/estate" ./cmd/estate

echo "== web e2e (Chromium against estate serve --demo)" >&2
cd web
ESTATE_BIN="$bin_dir/estate" node --test --test-concurrency=1 --test-reporter=spec e2e/
