#!/usr/bin/env bash
# Run moto (an AWS API emulator) in server mode on 127.0.0.1 for estate's AWS tests.
#
# Usage: scripts/moto.sh start|stop|status|restart|reset
#
#   start    idempotent. Installs moto[server] (first time only, see below), starts moto_server
#            in the background, waits until it answers, then prints exactly this line on stdout
#            (progress goes to stderr):
#              ESTATE_AWS_ENDPOINT=http://127.0.0.1:5055
#            Use it as:  set -a; eval "$(scripts/moto.sh start)"; set +a
#   stop     idempotent. SIGTERM, SIGKILL after a timeout.
#   status   prints "running" and exits 0 if the server answers, else "stopped", exit 1.
#   restart  stop, then start (prints the same line as start).
#   reset    empties the running server (POST /moto-api/reset): every emulated account and
#            resource is gone.
#
# Environment:
#   ESTATE_MOTO_HOME     cache/state dir (default $HOME/.cache/estate/moto): the venv, pid and log.
#   ESTATE_MOTO_PORT     port on 127.0.0.1 (default 5055).
#   ESTATE_MOTO_VERSION  moto version installed into the venv (default 5.2.1, the version
#                        ../shared/fixtures/aws/README.md verified).
#   ESTATE_MOTO_START_TIMEOUT, ESTATE_MOTO_STOP_TIMEOUT   seconds (default 60 and 20).
#
# Which moto_server runs: the one in our venv if it exists; else a moto_server already on PATH
# if it is the pinned version (some machine images carry it); else a venv is created under
# ESTATE_MOTO_HOME and moto[server]==ESTATE_MOTO_VERSION installed into it with pip, so the
# system Python stays clean.
set -euo pipefail

readonly CACHE="${ESTATE_MOTO_HOME:-$HOME/.cache/estate/moto}"
readonly VENV="$CACHE/venv"
readonly PORT="${ESTATE_MOTO_PORT:-5055}"
readonly VERSION="${ESTATE_MOTO_VERSION:-5.2.1}"
readonly START_TIMEOUT="${ESTATE_MOTO_START_TIMEOUT:-60}"
readonly STOP_TIMEOUT="${ESTATE_MOTO_STOP_TIMEOUT:-20}"
readonly PID_FILE="$CACHE/moto-$PORT.pid"
readonly LOG_FILE="$CACHE/moto-$PORT.log"
readonly URL="http://127.0.0.1:$PORT"

log() { printf 'moto.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

print_env() { printf 'ESTATE_AWS_ENDPOINT=%s\n' "$URL"; }

# answers: the moto API itself replies (not just any process on the port).
answers() {
  curl -fsS --max-time 3 -o /dev/null "$URL/moto-api/data.json" 2>/dev/null
}

# shellcheck disable=SC2016  # $1 is expanded by the inner bash, on purpose.
port_in_use() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$PORT" 2>/dev/null; }

moto_version_of() { # python interpreter -> moto version or empty
  "$1" -c 'import moto; print(moto.__version__)' 2>/dev/null || true
}

# Sets MOTO_SERVER to a moto_server of the pinned version, installing it if needed.
find_or_install() {
  if [[ -x "$VENV/bin/moto_server" && "$(moto_version_of "$VENV/bin/python")" == "$VERSION" ]]; then
    MOTO_SERVER="$VENV/bin/moto_server"
    return 0
  fi
  local onpath py
  if onpath="$(command -v moto_server 2>/dev/null)"; then
    # The interpreter moto_server runs with is named in its shebang (pyenv shims resolve
    # through python3 on PATH).
    py="$(head -n 1 "$onpath" | sed -n 's/^#! *\([^ ]*\).*/\1/p')"
    [[ "$py" == */env || -z "$py" ]] && py="$(command -v python3 || true)"
    if [[ -n "$py" && "$(moto_version_of "$py")" == "$VERSION" ]]; then
      MOTO_SERVER="$onpath"
      return 0
    fi
  fi
  command -v python3 >/dev/null 2>&1 || die "python3 not found (needed to install moto)"
  log "installing moto[server]==$VERSION into $VENV (first run only)..."
  mkdir -p "$CACHE"
  rm -rf "$VENV"
  python3 -m venv "$VENV" >&2 || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$VENV/bin/pip" install -q --disable-pip-version-check "moto[server]==$VERSION" >&2 \
    || die "pip install moto[server]==$VERSION failed"
  MOTO_SERVER="$VENV/bin/moto_server"
}

# True if PID is a moto_server we started on our port (guards against pid reuse).
is_our_server() {
  local pid="$1" cmdline
  [[ "$pid" =~ ^[0-9]+$ ]] && [[ -r "/proc/$pid/cmdline" ]] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *moto_server* && "$cmdline" == *"-p $PORT "* ]]
}

server_pid() {
  local pid
  if [[ -f "$PID_FILE" ]]; then
    pid="$(<"$PID_FILE")"
    if is_our_server "$pid"; then echo "$pid"; return 0; fi
  fi
  rm -f "$PID_FILE"
  return 1
}

take_lock() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock-$PORT"
  flock -w $((START_TIMEOUT + STOP_TIMEOUT)) 9 || die "timed out waiting for $CACHE/.lock-$PORT"
}

terminate() {
  local pid="$1" deadline=$((SECONDS + STOP_TIMEOUT))
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    # Wait until it is gone and its port free, for a start right after.
    deadline=$((SECONDS + 10))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
}

# answers_within SECONDS: whether the server answers within that time.
answers_within() {
  local deadline=$((SECONDS + $1))
  while ((SECONDS < deadline)); do
    answers && return 0
    sleep 0.2
  done
  return 1
}

wait_ready() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      log "moto_server exited during startup; last lines of $LOG_FILE:"
      tail -n 30 "$LOG_FILE" >&2 || true
      exit 1
    fi
    answers && return 0
    sleep 0.2
  done
  log "moto_server did not answer on $URL within ${START_TIMEOUT}s; stopping it"
  tail -n 30 "$LOG_FILE" >&2 || true
  terminate "$pid"
  exit 1
}

cmd_start() {
  take_lock
  local pid
  if pid="$(server_pid)"; then
    log "already running (pid $pid), checking that it answers on $URL..."
    if answers_within 20; then
      print_env
      return 0
    fi
    # A server left running for long can wedge; a fresh one costs seconds.
    log "it does not answer: stopping it and starting a fresh one"
    terminate "$pid"
  fi
  if port_in_use; then
    # A moto started by hand (moto_server -p PORT) is fine to reuse; anything else is not.
    answers && { log "a moto server not started by this script answers on $URL; reusing it"; print_env; return 0; }
    die "127.0.0.1:$PORT is taken by another process; set ESTATE_MOTO_PORT"
  fi
  find_or_install
  log "starting $MOTO_SERVER on $URL..."
  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  # setsid + nohup: the server outlives the calling shell (CI steps, eval subshells).
  # 9>&- keeps the lock fd out of the server. The trailing space in the pattern of
  # is_our_server needs an argument after -p PORT, hence the explicit -H last.
  setsid nohup "$MOTO_SERVER" -p "$PORT" -H 127.0.0.1 </dev/null >"$LOG_FILE" 2>&1 9>&- &
  echo $! >"$PID_FILE"
  pid="$(<"$PID_FILE")"
  wait_ready "$pid"
  log "ready (pid $pid; log $LOG_FILE)"
  print_env
}

cmd_stop() {
  take_lock
  local pid
  if ! pid="$(server_pid)"; then
    log "not running"
    return 0
  fi
  log "stopping moto_server (pid $pid)..."
  terminate "$pid"
  log "stopped"
}

cmd_status() {
  local pid
  if answers; then
    if pid="$(server_pid)"; then echo "running (pid $pid, $URL)"; else echo "running ($URL, not started by this script)"; fi
    return 0
  fi
  echo "stopped"
  return 1
}

cmd_reset() {
  curl -fsS --max-time 10 -X POST -o /dev/null "$URL/moto-api/reset" || die "no moto server answers on $URL"
  log "reset $URL"
}

main() {
  case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    restart) cmd_stop; exec 9>&-; cmd_start ;;
    reset) cmd_reset ;;
    *)
      echo "usage: $0 start|stop|status|restart|reset" >&2
      exit 64
      ;;
  esac
}

main "$@"
