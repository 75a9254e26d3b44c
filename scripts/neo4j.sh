#!/usr/bin/env bash
# Run a real Neo4j 5.26 LTS Community server on 127.0.0.1 for estate's tests and benchmarks.
#
# Usage: scripts/neo4j.sh start|stop|status|restart|kill|reset
#
#   start    idempotent. Fetches what it needs (first time only), starts the server in the
#            background, waits until a Bolt login + `RETURN 1` on database neo4j succeeds, then
#            prints exactly these lines on stdout (progress goes to stderr):
#              ESTATE_NEO4J_URI=bolt://127.0.0.1:7687
#              ESTATE_NEO4J_USER=neo4j
#              ESTATE_NEO4J_PASSWORD=estate-test-password
#            Use it as:  set -a; eval "$(scripts/neo4j.sh start)"; set +a
#   stop     idempotent. SIGTERM (clean checkpoint + shutdown), SIGKILL after a timeout.
#   status   prints "running" and exits 0 if the server answers Bolt, else "stopped", exit 1.
#   restart  stop, then start (prints the same lines as start).
#   kill     SIGKILL, no shutdown: for crash-recovery tests. The next start recovers the store.
#   reset    stop, then delete the data and logs (next start is a first start again).
#
# Environment:
#   ESTATE_NEO4J_HOME      cache/state dir (default $HOME/.cache/estate/neo4j); the server's
#                          NEO4J_HOME (conf, data, logs, run) is $ESTATE_NEO4J_HOME/home.
#   ESTATE_NEO4J_PORT      Bolt port on 127.0.0.1 (default 7687).
#   ESTATE_NEO4J_PASSWORD  password of user neo4j (default estate-test-password). It is set
#                          only when the data dir is created; to change it later, `reset`.
#   ESTATE_NEO4J_HEAP, ESTATE_NEO4J_PAGECACHE   memory (default 2g and 512m). The server's
#                          live set is ~400 MB; with a 1g heap G1 kept an ~80 MB eden, which
#                          one batch of 1,000 nodes fills several times, and batch upserts
#                          spent about twice as long in GC pauses as with 2g.
#   ESTATE_NEO4J_START_TIMEOUT, ESTATE_NEO4J_STOP_TIMEOUT   seconds (default 180 and 120).
#   ESTATE_NEO4J_JAVA_HOME  a JDK 17 or 21 to use (default: first 17/21 found).
#   MAVEN_OPTS             passed to mvn as usual (e.g. -Dmaven.repo.local=...).
#
# How it works, and why this way: Neo4j's server tarball is not on Maven Central (the
# neo4j-community-standalone artifact there is POM-only) and nothing else reachable from
# these machines ships it. But the artifact org.neo4j:neo4j is the server's whole lib/
# directory in dependency form: it contains the real entry point the tarball runs
# (org.neo4j.server.CommunityEntryPoint, what `bin/neo4j console` execs) and neo4j-admin
# (org.neo4j.cli.AdminTool). So we let Maven resolve that classpath into ~/.m2 once
# (scripts/neo4j/pom.xml), lay out a NEO4J_HOME with our neo4j.conf, and run the same java
# command bin/neo4j would. Same server, same config file and settings, same on-disk format.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly ASSETS="$SCRIPT_DIR/neo4j"
readonly CACHE="${ESTATE_NEO4J_HOME:-$HOME/.cache/estate/neo4j}"
readonly NHOME="$CACHE/home"
readonly PORT="${ESTATE_NEO4J_PORT:-7687}"
readonly USER_NAME="neo4j"
readonly PASSWORD="${ESTATE_NEO4J_PASSWORD:-estate-test-password}"
readonly HEAP="${ESTATE_NEO4J_HEAP:-2g}"
readonly PAGECACHE="${ESTATE_NEO4J_PAGECACHE:-512m}"
readonly START_TIMEOUT="${ESTATE_NEO4J_START_TIMEOUT:-180}"
readonly STOP_TIMEOUT="${ESTATE_NEO4J_STOP_TIMEOUT:-120}"
readonly PID_FILE="$NHOME/run/estate-neo4j.pid"
# The JVM's stdout/stderr. With --console-mode the server writes its user log (what the
# tarball puts in logs/neo4j.log) here; logs/debug.log has the details.
readonly CONSOLE_LOG="$NHOME/logs/console.log"
readonly ENTRY_POINT="org.neo4j.server.CommunityEntryPoint"

log() { printf 'neo4j.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Progress goes to stderr; stdout carries only the KEY=value lines that callers eval.
print_env() {
  printf 'ESTATE_NEO4J_URI=%q\n' "bolt://127.0.0.1:$PORT"
  printf 'ESTATE_NEO4J_USER=%q\n' "$USER_NAME"
  printf 'ESTATE_NEO4J_PASSWORD=%q\n' "$PASSWORD"
}

# --- Java -------------------------------------------------------------------------------

java_major() {
  # `java -version` prints e.g.: openjdk version "17.0.15" 2025-04-15
  "$1" -version 2>&1 | sed -n 's/.* version "\([0-9][0-9]*\).*/\1/p' | head -n 1
}

# Neo4j 5.26 supports Java 17 and 21 only (25 is refused by its own startup checks), and
# JAVA_HOME may point at a newer JDK on these machines, so pick explicitly.
find_java() {
  local candidates=() c major
  if [[ -n "${ESTATE_NEO4J_JAVA_HOME:-}" ]]; then
    candidates=("$ESTATE_NEO4J_JAVA_HOME/bin/java")
  else
    [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
    candidates+=(/usr/lib/jvm/java-17-openjdk-*/bin/java /usr/lib/jvm/java-21-openjdk-*/bin/java)
    command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  fi
  for c in "${candidates[@]}"; do
    [[ -x "$c" ]] || continue
    major="$(java_major "$c")"
    if [[ "$major" == 17 || "$major" == 21 ]]; then
      JAVA="$c"
      JAVAC="$(dirname "$c")/javac"
      return 0
    fi
  done
  die "need a JDK 17 or 21 for Neo4j 5.26 (tried: ${candidates[*]:-none}); set ESTATE_NEO4J_JAVA_HOME"
}

# --- Classpath --------------------------------------------------------------------------

# Resolving with Maven costs ~10 s even when everything is in ~/.m2, so the resolved
# classpath is cached, keyed on the pom's content, and re-resolved only if the pom changed or
# a jar went missing (e.g. a cleaned ~/.m2).
ensure_classpath() {
  local key cp_file jar
  key="$(sha256sum "$ASSETS/pom.xml" | cut -c1-16)"
  cp_file="$CACHE/classpath-$key.txt"
  if [[ -s "$cp_file" ]]; then
    CLASSPATH_STR="$(<"$cp_file")"
    local jars=() ok=1
    IFS=: read -r -a jars <<<"$CLASSPATH_STR"
    for jar in "${jars[@]}"; do
      [[ -f "$jar" ]] || { ok=0; break; }
    done
    if ((ok)); then return 0; fi
    log "cached classpath refers to missing jars; resolving again"
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH (needed once to fetch Neo4j)"
  log "resolving Neo4j jars with Maven (first run downloads ~150 MB into ~/.m2)..."
  mkdir -p "$CACHE"
  local mvn_log="$CACHE/mvn.log"
  if ! mvn -B -q -f "$ASSETS/pom.xml" dependency:build-classpath \
      -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file.tmp" >"$mvn_log" 2>&1; then
    tail -n 40 "$mvn_log" >&2
    die "Maven could not resolve the Neo4j jars (full log: $mvn_log)"
  fi
  mv "$cp_file.tmp" "$cp_file"
  CLASSPATH_STR="$(<"$cp_file")"
}

# The readiness probe is compiled once into the cache (keyed on its source) rather than run
# as a single-source program each time: that saves ~2 s of javac on every start.
ensure_probe() {
  local key
  key="$(cat "$ASSETS/BoltCheck.java" "$CACHE"/classpath-*.txt 2>/dev/null | sha256sum | cut -c1-16)"
  PROBE_DIR="$CACHE/probe-$key"
  [[ -f "$PROBE_DIR/BoltCheck.class" ]] && return 0
  if [[ ! -x "$JAVAC" ]]; then
    PROBE_DIR=""  # A JRE without javac: bolt_query_ok falls back to a single-source launch.
    return 0
  fi
  rm -rf "$CACHE"/probe-*
  mkdir -p "$PROBE_DIR.tmp"
  "$JAVAC" -nowarn -cp "$CLASSPATH_STR" -d "$PROBE_DIR.tmp" "$ASSETS/BoltCheck.java" >&2 \
    || die "could not compile $ASSETS/BoltCheck.java"
  mv "$PROBE_DIR.tmp" "$PROBE_DIR"
}

# Full check: Bolt login with our credentials and RETURN 1 on database neo4j.
# Exit status: 0 ready, 2 credentials rejected, 1 not ready.
#
# The probe JVM gets only the driver's jars (driver, bolt-connection, netty, reactive-streams)
# and C1-only JIT: with the server's full 200-jar classpath it takes ~3 s instead of ~1.3 s.
# Should a future driver need more jars, the probe exits 3 (LinkageError) and we fall back to
# the full classpath.
bolt_query_ok() {
  local rc=0 jars=() small_cp
  local args=("bolt://127.0.0.1:$PORT" "$USER_NAME" "$PASSWORD")
  IFS=: read -r -a jars <<<"$CLASSPATH_STR"
  small_cp="$(printf '%s\n' "${jars[@]}" \
    | grep -E '/(neo4j-java-driver|neo4j-bolt-connection[a-z-]*|netty-[a-z0-9-]+|reactive-streams)-[0-9][^/]*\.jar$' \
    | paste -sd: -)"
  if [[ -z "$PROBE_DIR" ]]; then
    "$JAVA" -cp "$CLASSPATH_STR" "$ASSETS/BoltCheck.java" "${args[@]}" >/dev/null
    return
  fi
  "$JAVA" -XX:TieredStopAtLevel=1 -cp "$PROBE_DIR:$small_cp" BoltCheck "${args[@]}" >/dev/null || rc=$?
  if ((rc == 3)); then
    rc=0
    "$JAVA" -cp "$PROBE_DIR:$CLASSPATH_STR" BoltCheck "${args[@]}" >/dev/null || rc=$?
  fi
  return "$rc"
}

# --- Process bookkeeping ----------------------------------------------------------------

# Cheap check, no JVM: something on the port completes a Bolt handshake (magic 0x6060B017,
# proposing 5.0-5.4 and 4.4; a Bolt server replies with a non-zero version).
bolt_handshake_ok() {
  local reply
  # shellcheck disable=SC2016  # $1 is expanded by the inner bash, on purpose.
  reply="$(timeout 5 bash -c '
      exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
      printf "\x60\x60\xb0\x17\x00\x04\x04\x05\x00\x00\x04\x04\x00\x00\x00\x00\x00\x00\x00\x00" >&3
      head -c 4 <&3 | od -An -tx1' _ "$PORT" 2>/dev/null | tr -d ' \n')" || return 1
  [[ -n "$reply" && "$reply" != 00000000 ]]
}

# shellcheck disable=SC2016  # $1 is expanded by the inner bash, on purpose.
port_in_use() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$PORT" 2>/dev/null; }

# True if PID is a live server started for this NEO4J_HOME (guards against pid reuse and
# against touching some other Neo4j on the machine).
is_our_server() {
  local pid="$1" cmdline
  [[ "$pid" =~ ^[0-9]+$ ]] && [[ -r "/proc/$pid/cmdline" ]] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"$ENTRY_POINT"* && "$cmdline" == *"--home-dir=$NHOME "* ]]
}

# Prints the server's pid if it is running. Falls back to scanning /proc for our exact
# --home-dir in case the pid file was lost.
server_pid() {
  local pid p
  if [[ -f "$PID_FILE" ]]; then
    pid="$(<"$PID_FILE")"
    if is_our_server "$pid"; then echo "$pid"; return 0; fi
  fi
  for p in /proc/[0-9]*; do
    pid="${p#/proc/}"
    if is_our_server "$pid"; then
      echo "$pid" >"$PID_FILE"
      echo "$pid"
      return 0
    fi
  done
  rm -f "$PID_FILE"
  return 1
}

# Serialises start/stop/kill/reset so that parallel test packages calling `start` at once
# launch one server, not two.
take_lock() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock -w $((START_TIMEOUT + STOP_TIMEOUT)) 9 || die "timed out waiting for $CACHE/.lock"
}

# --- Commands ---------------------------------------------------------------------------

write_conf() {
  mkdir -p "$NHOME"/{conf,data,logs,run,plugins,import}
  sed -e "s/@PORT@/$PORT/g" -e "s/@HEAP@/$HEAP/g" -e "s/@PAGECACHE@/$PAGECACHE/g" \
    "$ASSETS/neo4j.conf" >"$NHOME/conf/neo4j.conf.tmp"
  mv "$NHOME/conf/neo4j.conf.tmp" "$NHOME/conf/neo4j.conf"
}

# neo4j-admin dbms set-initial-password only has an effect before the system database
# exists, so run it exactly when the store is brand new.
set_initial_password() {
  [[ -d "$NHOME/data/databases/system" ]] && return 0
  log "new store: setting the initial password of user $USER_NAME"
  NEO4J_HOME="$NHOME" NEO4J_CONF="$NHOME/conf" \
    "$JAVA" -cp "$CLASSPATH_STR" org.neo4j.cli.AdminTool dbms set-initial-password "$PASSWORD" >&2 \
    || die "neo4j-admin dbms set-initial-password failed"
}

launch() {
  local jvm_flags=()
  mapfile -t jvm_flags < <(sed -n 's/^server\.jvm\.additional=//p' "$NHOME/conf/neo4j.conf")
  # Keep the previous run's console output for post-mortems (e.g. after `kill`).
  [[ -f "$CONSOLE_LOG" ]] && mv -f "$CONSOLE_LOG" "$CONSOLE_LOG.1"
  # setsid + nohup: the server must outlive the calling shell (CI steps, `eval "$(...)"`
  # subshells) and not get its terminal's signals. 9>&- keeps the lock fd out of the JVM, or
  # the lock would be held for the server's whole life. The command is what bin/neo4j
  # builds: conf's JVM flags, -Xms/-Xmx from the heap settings, the community entry point.
  setsid nohup "$JAVA" -cp "$CLASSPATH_STR" "${jvm_flags[@]}" \
    -Xms"$HEAP" -Xmx"$HEAP" -Dfile.encoding=UTF-8 \
    "$ENTRY_POINT" --home-dir="$NHOME" --config-dir="$NHOME/conf" --console-mode \
    </dev/null >"$CONSOLE_LOG" 2>&1 9>&- &
  echo $! >"$PID_FILE"
}

# SIGTERM (the server's shutdown hook ends transactions and checkpoints the stores), then
# SIGKILL if it has not exited within STOP_TIMEOUT.
terminate() {
  local pid="$1" deadline=$((SECONDS + STOP_TIMEOUT))
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
}

# Set by cmd_start when this invocation launched the JVM: a failed start then stops it
# again instead of leaving a half-started server behind (CI would otherwise leak it).
LAUNCHED_PID=""

fail_start() {
  log "$1; last lines of $CONSOLE_LOG:"
  tail -n 40 "$CONSOLE_LOG" >&2 || true
  log "more in $NHOME/logs/debug.log"
  if [[ -n "$LAUNCHED_PID" ]] && kill -0 "$LAUNCHED_PID" 2>/dev/null; then
    log "stopping the server this start launched (pid $LAUNCHED_PID)"
    terminate "$LAUNCHED_PID"
  fi
  exit 1
}

wait_ready() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT)) rc
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      fail_start "Neo4j exited during startup"
    fi
    # "Started." is the server's own all-up line; only then is the (JVM-costly) full probe
    # worth running.
    if grep -q 'INFO  Started\.' "$CONSOLE_LOG" 2>/dev/null; then
      rc=0
      bolt_query_ok 2>"$CACHE/probe.err" || rc=$?
      if ((rc == 0)); then return 0; fi
      if ((rc == 2)); then
        cat "$CACHE/probe.err" >&2
        fail_start "Neo4j is up but rejects the password: the store in $NHOME/data was created with another one ('scripts/neo4j.sh reset' wipes it)"
      fi
    fi
    sleep 0.5
  done
  cat "$CACHE/probe.err" >&2 2>/dev/null || true
  fail_start "Neo4j did not answer on 127.0.0.1:$PORT within ${START_TIMEOUT}s"
}

cmd_start() {
  take_lock
  local pid
  if pid="$(server_pid)"; then
    # Already ours: report it only once a real login with *these* credentials works, so
    # the printed password is never one the store does not accept. If it is still starting
    # (another start in progress, e.g. a parallel test package), this waits for it.
    find_java
    ensure_classpath
    ensure_probe
    log "already running (pid $pid), checking that it answers on 127.0.0.1:$PORT..."
    wait_ready "$pid"
    print_env
    return 0
  fi
  port_in_use && die "127.0.0.1:$PORT is taken by another process; set ESTATE_NEO4J_PORT"

  local t0=$SECONDS
  find_java
  ensure_classpath
  ensure_probe
  write_conf
  set_initial_password
  log "starting Neo4j 5.26 with $JAVA (home $NHOME, bolt 127.0.0.1:$PORT)..."
  launch
  pid="$(<"$PID_FILE")"
  LAUNCHED_PID="$pid"
  wait_ready "$pid"
  log "ready in $((SECONDS - t0))s (pid $pid; logs in $NHOME/logs)"
  print_env
}

cmd_stop() {
  take_lock
  local pid
  if ! pid="$(server_pid)"; then
    log "not running"
    return 0
  fi
  log "stopping Neo4j (pid $pid)..."
  terminate "$pid"
  log "stopped"
}

cmd_kill() {
  take_lock
  local pid
  if ! pid="$(server_pid)"; then
    log "not running"
    return 0
  fi
  log "killing Neo4j (pid $pid) with SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$PID_FILE"
}

cmd_status() {
  local pid
  if pid="$(server_pid)" && bolt_handshake_ok; then
    echo "running (pid $pid, bolt://127.0.0.1:$PORT)"
    return 0
  fi
  echo "stopped"
  return 1
}

cmd_reset() {
  cmd_stop
  log "deleting $NHOME/data and $NHOME/logs"
  rm -rf "$NHOME/data" "$NHOME/logs"
}

main() {
  case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    restart) cmd_stop; exec 9>&-; cmd_start ;;
    kill) cmd_kill ;;
    reset) cmd_reset ;;
    *)
      echo "usage: $0 start|stop|status|restart|kill|reset" >&2
      exit 64
      ;;
  esac
}

main "$@"
