#!/usr/bin/env bash
# Run a real Keycloak (an OpenID Connect identity provider) on 127.0.0.1 for estate's tests.
#
# Usage: scripts/keycloak.sh start|stop|status|restart
#
#   start    idempotent. Fetches and builds Keycloak (first time only, see below), starts it in
#            the background on a fresh, empty database into which it imports the realm
#            scripts/keycloak/estate-realm.json, waits until the realm's discovery document
#            answers, then prints exactly this line on stdout (progress goes to stderr):
#              ESTATE_TEST_KEYCLOAK_URL=http://127.0.0.1:18180
#            Use it as:  set -a; eval "$(scripts/keycloak.sh start)"; set +a
#            A server this script started earlier and that still runs is reused as it is (its
#            state is then whatever the tests left); `restart` gives a fresh realm.
#   stop     idempotent. SIGTERM, SIGKILL after a timeout.
#   status   prints "running" and exits 0 if the realm's discovery document answers, else
#            "stopped", exit 1.
#   restart  stop, then start (prints the same line as start).
#
# The realm (scripts/keycloak/estate-realm.json): realm "estate", confidential client "estate"
# (secret estate-test-secret, PKCE S256 required, redirect URIs http://127.0.0.1* and
# http://localhost*, a "groups" claim with the user's group names), users edna, vera, carl,
# ada and olga, each with password <name>-password. Issuer: http://127.0.0.1:PORT/realms/estate.
# The master realm's admin (console at http://127.0.0.1:PORT/admin/) is admin / admin.
#
# Environment:
#   ESTATE_KEYCLOAK_HOME     cache/state dir (default $HOME/.cache/estate/keycloak): the
#                            unzipped distribution (whose data/ holds the database), pid, logs.
#                            One server per cache dir: for two at once, use two dirs.
#   ESTATE_KEYCLOAK_PORT     HTTP port on 127.0.0.1 (default 18180).
#   ESTATE_KEYCLOAK_VERSION  Keycloak version (default 26.5.6).
#   ESTATE_KEYCLOAK_HEAP     maximum Java heap (default 512m).
#   ESTATE_KEYCLOAK_JAVA_OPTS  extra JVM flags (default -XX:TieredStopAtLevel=1, see below).
#   ESTATE_KEYCLOAK_JAVA_HOME  a JDK 17 or later to use (default: JAVA_HOME, else java on PATH).
#   ESTATE_KEYCLOAK_START_TIMEOUT, ESTATE_KEYCLOAK_STOP_TIMEOUT   seconds (default 240 and 30).
#   MAVEN_OPTS               passed to mvn as usual (e.g. -Dmaven.repo.local=...).
#
# How it works: the distribution zip comes from Maven Central
# (org.keycloak:keycloak-quarkus-dist, ~165 MB, the only source reachable from these machines)
# and is unzipped into the cache dir. `kc.sh build --db=dev-file` runs Quarkus' augmentation
# (~30-40 s) once per version; every start is then `kc.sh start --optimized` (production
# mode) with plain HTTP on 127.0.0.1, local caches (--cache=local: no JGroups cluster, which
# would listen on every interface) and --import-realm.
#
# Why this way (measured on a 2-core machine, fresh database to realm served): `start-dev`
# takes the same time as `start --optimized` once its own augmentation is cached (~36-45 s and
# ~68 s of CPU each); production mode was kept because the build is explicit and cached
# here, and themes are cached. Most of a start is Keycloak creating its schema (~10 s), the
# master realm (~4 s) and our realm (~5 s), the price of a fresh database each time.
# -XX:TieredStopAtLevel=1 (no C2 JIT) cuts the CPU of a start from ~77 s to ~50 s for about
# the same wall time on an idle machine, and with one core kept busy by something else it
# started in 55 s instead of 88 s: CI's 2 cores also run Neo4j and go vet meanwhile.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly REALM_FILE="$SCRIPT_DIR/keycloak/estate-realm.json"
readonly REALM="estate"
readonly CACHE="${ESTATE_KEYCLOAK_HOME:-$HOME/.cache/estate/keycloak}"
readonly VERSION="${ESTATE_KEYCLOAK_VERSION:-26.5.6}"
readonly PORT="${ESTATE_KEYCLOAK_PORT:-18180}"
readonly HEAP="${ESTATE_KEYCLOAK_HEAP:-512m}"
readonly EXTRA_JAVA_OPTS="${ESTATE_KEYCLOAK_JAVA_OPTS--XX:TieredStopAtLevel=1}"
readonly START_TIMEOUT="${ESTATE_KEYCLOAK_START_TIMEOUT:-240}"
readonly STOP_TIMEOUT="${ESTATE_KEYCLOAK_STOP_TIMEOUT:-30}"
readonly KC_DIR="$CACHE/keycloak-$VERSION"
readonly PID_FILE="$CACHE/keycloak.pid"
readonly LOG_FILE="$CACHE/keycloak.log"
readonly URL="http://127.0.0.1:$PORT"
readonly DISCOVERY_URL="$URL/realms/$REALM/.well-known/openid-configuration"
# Build-time options (kc.sh build); a change triggers a new build.
readonly BUILD_ARGS=(--db=dev-file)

log() { printf 'keycloak.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

print_env() { printf 'ESTATE_TEST_KEYCLOAK_URL=%s\n' "$URL"; }

# answers: the estate realm's discovery document is served, with our issuer (not just any
# process on the port).
answers() {
  local doc
  doc="$(curl -fsS --max-time 3 "$DISCOVERY_URL" 2>/dev/null)" || return 1
  [[ "$doc" == *"\"issuer\":\"$URL/realms/$REALM\""* ]]
}

# shellcheck disable=SC2016  # $1 is expanded by the inner bash, on purpose.
port_in_use() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$PORT" 2>/dev/null; }

# --- Java -------------------------------------------------------------------------------

java_major() {
  # `java -version` prints e.g.: openjdk version "17.0.15" 2025-04-15
  "$1" -version 2>&1 | sed -n 's/.* version "\([0-9][0-9]*\).*/\1/p' | head -n 1
}

# Sets JAVA (which kc.sh honours) to a Java 17 or later.
find_java() {
  local candidates=() c major
  if [[ -n "${ESTATE_KEYCLOAK_JAVA_HOME:-}" ]]; then
    candidates=("$ESTATE_KEYCLOAK_JAVA_HOME/bin/java")
  else
    [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
    command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
    candidates+=(/usr/lib/jvm/java-21-openjdk-*/bin/java /usr/lib/jvm/java-17-openjdk-*/bin/java)
  fi
  for c in "${candidates[@]}"; do
    [[ -x "$c" ]] || continue
    major="$(java_major "$c")"
    if [[ "$major" =~ ^[0-9]+$ ]] && ((major >= 17)); then
      JAVA="$c"
      return 0
    fi
  done
  die "need Java 17 or later for Keycloak (tried: ${candidates[*]:-none}); set ESTATE_KEYCLOAK_JAVA_HOME"
}

# --- Install and build ------------------------------------------------------------------

# Fetches the distribution through Maven (into ~/.m2, then copied here) and unzips it into
# KC_DIR. KC_DIR appears only once complete (unzipped aside, then renamed).
ensure_installed() {
  [[ -x "$KC_DIR/bin/kc.sh" ]] && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH (needed once to fetch Keycloak)"
  command -v unzip >/dev/null 2>&1 || die "unzip not found on PATH (Debian: apt-get install unzip)"
  local dl="$CACHE/download" tmp="$CACHE/unzip.tmp" mvn_log="$CACHE/mvn.log"
  local zip="$dl/keycloak-quarkus-dist-$VERSION.zip" t0=$SECONDS
  rm -rf "$dl" "$tmp"
  mkdir -p "$dl" "$tmp"
  log "fetching Keycloak $VERSION from Maven Central (first run only, ~165 MB)..."
  # From the cache dir, so that no pom.xml around gets in the way.
  if ! (cd "$CACHE" && mvn -B -q dependency:copy \
      -Dartifact="org.keycloak:keycloak-quarkus-dist:$VERSION:zip" \
      -DoutputDirectory="$dl") >"$mvn_log" 2>&1 9>&-; then
    tail -n 40 "$mvn_log" >&2
    die "Maven could not fetch org.keycloak:keycloak-quarkus-dist:$VERSION:zip (full log: $mvn_log)"
  fi
  [[ -f "$zip" ]] || die "Maven did not produce $zip (log: $mvn_log)"
  log "unzipping..."
  unzip -q "$zip" -d "$tmp" || die "could not unzip $zip"
  [[ -x "$tmp/keycloak-$VERSION/bin/kc.sh" ]] || die "$zip has no keycloak-$VERSION/bin/kc.sh"
  mv "$tmp/keycloak-$VERSION" "$KC_DIR"
  rm -rf "$dl" "$tmp"
  log "installed in $((SECONDS - t0))s: $KC_DIR"
}

# Runs Quarkus' augmentation (kc.sh build) unless the distribution is already built with
# BUILD_ARGS; start --optimized then skips it.
ensure_built() {
  local marker="$KC_DIR/.estate-build" want build_log="$CACHE/build.log" t0=$SECONDS
  want="${BUILD_ARGS[*]}"
  if [[ -f "$marker" && "$(<"$marker")" == "$want" && -f "$KC_DIR/lib/quarkus/quarkus-application.dat" ]]; then
    return 0
  fi
  log "building Keycloak ($want; first run only, ~40 s)..."
  rm -f "$marker"
  if ! JAVA="$JAVA" JAVA_OPTS_KC_HEAP="-Xms64m -Xmx$HEAP" \
      "$KC_DIR/bin/kc.sh" build "${BUILD_ARGS[@]}" </dev/null >"$build_log" 2>&1 9>&-; then
    tail -n 40 "$build_log" >&2
    die "kc.sh build failed (full log: $build_log)"
  fi
  printf '%s\n' "$want" >"$marker"
  log "built in $((SECONDS - t0))s"
}

# --- Process bookkeeping ----------------------------------------------------------------

# The server runs as a process group: kc.sh (the group leader, whose pid is in PID_FILE) and
# the java it forks (or execs into, after an implicit re-augmentation).

# True if PID leads a process group that runs our distribution (guards against pid reuse
# and against touching some other Keycloak on the machine).
is_our_server() {
  local pid="$1" p cmdline
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  for p in $(pgrep -g "$pid" 2>/dev/null); do
    cmdline="$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")" || continue
    [[ "$cmdline" == *"$KC_DIR/bin/"* && "$cmdline" == *" start "* ]] && return 0
  done
  return 1
}

# Prints the server's pid (group leader) if it is running. Falls back to scanning /proc in
# case the pid file was lost (or not yet written).
server_pid() {
  local pid p cmdline
  if [[ -f "$PID_FILE" ]]; then
    pid="$(<"$PID_FILE")"
    if is_our_server "$pid"; then echo "$pid"; return 0; fi
  fi
  for p in /proc/[0-9]*; do
    cmdline="$(tr '\0' ' ' 2>/dev/null <"$p/cmdline")" || continue
    [[ "$cmdline" == *"$KC_DIR/bin/"* && "$cmdline" == *" start "* ]] || continue
    pid="$(ps -o pgid= -p "${p#/proc/}" 2>/dev/null | tr -d ' ')"
    if is_our_server "$pid"; then
      echo "$pid" >"$PID_FILE"
      echo "$pid"
      return 0
    fi
  done
  rm -f "$PID_FILE"
  return 1
}

# The port a running server of ours listens on (from its --http-port=N argument).
server_port() {
  tr '\0' '\n' 2>/dev/null <"/proc/$1/cmdline" | sed -n 's/^--http-port=//p' | head -n 1
}

# running PID: the process exists and is not a zombie (an exited kc.sh can stay one for a
# while when pid 1 is slow to reap orphans).
running() {
  local st
  st="$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [[ -n "$st" && "$st" != Z ]]
}

# group_alive PID: the leader, or anything left of its group, runs. (Right after the launch
# the group may not exist yet: setsid has not run.)
group_alive() {
  local p
  running "$1" && return 0
  for p in $(pgrep -g "$1" 2>/dev/null); do
    running "$p" && return 0
  done
  return 1
}

# Serialises start/stop so that parallel callers of `start` launch one server, not two.
take_lock() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock -w $((START_TIMEOUT + STOP_TIMEOUT + 300)) 9 || die "timed out waiting for $CACHE/.lock"
}

# SIGTERM to the group (java shuts down cleanly; kc.sh passes it on to java too, which is
# harmless, and java gets it even if kc.sh is gone), then SIGKILL to the group if anything
# of it is left after STOP_TIMEOUT. A server still starting only acts on SIGTERM once its
# start is complete, which can take a minute: it gets 5 s (its database is thrown away at
# the next start anyway).
terminate() {
  local pid="$1" grace="$STOP_TIMEOUT"
  if ! answers && ((grace > 5)); then grace=5; fi
  local deadline=$((SECONDS + grace))
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  while group_alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
  if group_alive "$pid"; then
    log "still running after ${grace}s; sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while group_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
}

# --- Commands ---------------------------------------------------------------------------

# Set by cmd_start when this invocation launched the server: a failed start stops it again
# instead of leaving a half-started server behind.
LAUNCHED_PID=""

fail_start() {
  log "$1; last lines of $LOG_FILE:"
  tail -n 40 "$LOG_FILE" >&2 || true
  if [[ -n "$LAUNCHED_PID" ]] && group_alive "$LAUNCHED_PID"; then
    log "stopping the server this start launched (pid $LAUNCHED_PID)"
    terminate "$LAUNCHED_PID"
  fi
  exit 1
}

wait_ready() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! group_alive "$pid"; then
      rm -f "$PID_FILE"
      fail_start "Keycloak exited during startup"
    fi
    answers && return 0
    sleep 0.5
  done
  fail_start "Keycloak did not serve $DISCOVERY_URL within ${START_TIMEOUT}s"
}

# A fresh, empty database every time, and the realm file where --import-realm looks for it.
reset_data() {
  [[ -f "$REALM_FILE" ]] || die "realm file $REALM_FILE not found"
  # Keycloak would find out too, but only after ~30 s of starting.
  if command -v jq >/dev/null 2>&1; then
    jq empty "$REALM_FILE" || die "$REALM_FILE is not valid JSON"
  fi
  rm -rf "$KC_DIR/data"
  mkdir -p "$KC_DIR/data/import"
  cp "$REALM_FILE" "$KC_DIR/data/import/$REALM-realm.json"
}

launch() {
  local java_opts_append="$EXTRA_JAVA_OPTS"
  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  # setsid + nohup: the server outlives the calling shell (CI steps, eval subshells) and
  # leads its own process group. 9>&- keeps the lock fd out of the server.
  # --cache=local: no JGroups cluster (it would listen on every interface).
  # --hostname-strict=false: the issuer follows the request (http://127.0.0.1:PORT).
  setsid nohup env JAVA="$JAVA" JAVA_OPTS_KC_HEAP="-Xms64m -Xmx$HEAP" \
    JAVA_OPTS_APPEND="$java_opts_append" \
    KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin \
    "$KC_DIR/bin/kc.sh" start --optimized \
    --http-enabled=true --http-host=127.0.0.1 --http-port="$PORT" \
    --hostname-strict=false --cache=local --import-realm --log-console-color=false \
    </dev/null >"$LOG_FILE" 2>&1 9>&- &
  echo $! >"$PID_FILE"
}

cmd_start() {
  # A SIGTERM (e.g. from a test script that failed meanwhile) ends this script only between
  # two commands: bash runs the trap once the current one is done, so the fetch, unzip and
  # build steps are never left half done. A server already launched is left running;
  # `stop` ends it.
  trap 'log "terminated"; exit 143' TERM
  take_lock
  local pid port
  if pid="$(server_pid)"; then
    port="$(server_port "$pid")"
    if [[ -n "$port" && "$port" != "$PORT" ]]; then
      die "the Keycloak of $CACHE already runs on port $port (pid $pid); stop it first, or set ESTATE_KEYCLOAK_HOME"
    fi
    # Ours. If it is still starting (a start killed while waiting), this waits for it.
    log "already running (pid $pid), checking that it serves realm $REALM on $URL..."
    wait_ready "$pid"
    print_env
    return 0
  fi
  if port_in_use; then
    # A Keycloak with our realm started some other way (e.g. by hand) is fine to reuse.
    answers && { log "a Keycloak not started by this script serves realm $REALM on $URL; reusing it"; print_env; return 0; }
    die "127.0.0.1:$PORT is taken by another process; set ESTATE_KEYCLOAK_PORT"
  fi

  local t0=$SECONDS
  find_java
  ensure_installed
  ensure_built
  reset_data
  log "starting Keycloak $VERSION with $JAVA on $URL (fresh database, realm $REALM)..."
  launch
  pid="$(<"$PID_FILE")"
  LAUNCHED_PID="$pid"
  wait_ready "$pid"
  log "ready in $((SECONDS - t0))s (pid $pid; log $LOG_FILE)"
  print_env
}

cmd_stop() {
  take_lock
  local pid
  if ! pid="$(server_pid)"; then
    log "not running"
    return 0
  fi
  log "stopping Keycloak (pid $pid)..."
  terminate "$pid"
  log "stopped"
}

cmd_status() {
  local pid
  if answers; then
    if pid="$(server_pid)"; then echo "running (pid $pid, $URL)"; else echo "running ($URL, not started by this script)"; fi
    return 0
  fi
  if pid="$(server_pid)"; then
    echo "stopped (pid $pid is starting, or does not answer)"
  else
    echo "stopped"
  fi
  return 1
}

main() {
  case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    restart) cmd_stop; exec 9>&-; cmd_start ;;
    *)
      echo "usage: $0 start|stop|status|restart" >&2
      exit 64
      ;;
  esac
}

main "$@"
