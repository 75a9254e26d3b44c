#!/usr/bin/env bash
# End-to-end tests of the web UI: installs what they need on a fresh machine
# (Debian's Chromium, the UI's npm packages), checks that the committed UI
# build (web/dist) and generated GraphQL types are current, builds the estate
# binary, and drives Chromium against a real `estate serve --demo`.
# Screenshots are left in web/e2e/artifacts/.
#
#   scripts/e2e.sh
#
# The tests sign in through a real Keycloak at ESTATE_TEST_KEYCLOAK_URL:
# scripts/test.sh starts one and sets it; when it is unset, this script starts
# one itself (scripts/keycloak.sh, about a minute) and stops it on exit if it
# started it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bin_dir=""
started_keycloak=0
cleanup() {
	if [ "$started_keycloak" = 1 ]; then "$root/scripts/keycloak.sh" stop >&2 || true; fi
	if [ -n "$bin_dir" ]; then rm -rf "$bin_dir"; fi
}
trap cleanup EXIT

if [ -z "${ESTATE_TEST_KEYCLOAK_URL:-}" ]; then
	echo "== Keycloak" >&2
	if ! scripts/keycloak.sh status >/dev/null 2>&1; then
		started_keycloak=1
	fi
	# Captured first so that a server that cannot start fails this script.
	keycloak_env="$(scripts/keycloak.sh start)"
	set -a
	eval "$keycloak_env"
	set +a
	export ESTATE_REQUIRE_KEYCLOAK=1
fi

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
bin_dir=$(mktemp -d) # removed by cleanup, on exit
go build -o "$bin_dir/estate" ./cmd/estate

echo "== web e2e (Chromium against estate serve --demo)" >&2
cd web
ESTATE_BIN="$bin_dir/estate" node --test --test-concurrency=1 --test-reporter=spec e2e/
