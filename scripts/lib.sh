# Shared by scripts/dev.sh and scripts/test.sh: install what is missing, start what is not running.
# Every step is idempotent, so running a script twice (or after a crash) is safe.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="$ROOT/.dev"
VENV="$ROOT/.venv"
# Where cargo puts what it builds (CARGO_TARGET_DIR, when set, moves it).
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
mkdir -p "$STATE_DIR"

# Local-only dummy credentials: the emulator accepts anything, and nothing here is secret.
export AWS_REGION="${AWS_REGION:-eu-west-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local-dummy-key}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local-dummy-secret}"
MOTO_HOST="${MOTO_HOST:-127.0.0.1}"
MOTO_PORT="${MOTO_PORT:-4566}"
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://$MOTO_HOST:$MOTO_PORT}"
DB_HOST="${DB_HOST:-127.0.0.1}"
DB_PORT="${DB_PORT:-3306}"
DB_USER="${DB_USER:-taskboard}"
DB_PASSWORD="${DB_PASSWORD:-taskboard}"

STARTED_PIDS=()

# MariaDB's client where it is installed, MySQL's otherwise (GitHub's Ubuntu runners ship MySQL 8).
db_cli() { if command -v mariadb >/dev/null; then mariadb "$@"; else mysql "$@"; fi; }
db_admin() { if command -v mariadb-admin >/dev/null; then mariadb-admin "$@"; else mysqladmin "$@"; fi; }
db_user() { db_cli -h "$DB_HOST" -P "$DB_PORT" -u"$DB_USER" -p"$DB_PASSWORD" "$@"; }

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# wait_for DESCRIPTION SECONDS COMMAND...: poll until COMMAND succeeds, or fail at the deadline.
wait_for() {
  local what="$1" secs="$2"; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "timed out after ${secs}s waiting for $what"
    sleep 0.2
  done
}

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (apt)"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_rust() {
  command -v cargo >/dev/null || die "cargo is not installed: install Rust from https://rustup.rs (stable, 1.94 or newer)"
}

# A virtualenv at $1 holding what the requirements file $2 pins, installed again when the file
# changes.
ensure_python_env() {
  local venv="$1" requirements="$2" stamp="$1/.requirements-installed"
  if [ ! -x "$venv/bin/python" ]; then
    log "creating the Python virtualenv ${venv#"$ROOT"/}"
    python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$venv"; }
  fi
  if [ ! -f "$stamp" ] || ! cmp -s "$requirements" "$stamp"; then
    log "installing Python tools (${requirements#"$ROOT"/})"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$stamp"
  fi
}

# The AWS emulator (moto) and the other Python tools the project uses.
ensure_venv() { ensure_python_env "$VENV" "$ROOT/scripts/requirements.txt"; }

# SAM CLI in a virtualenv of its own (it pins versions of cfn-lint and the SAM translator other than
# the checks'): infra/tests/check_deploy.py parses the deploy's parameters with its own parser.
ensure_sam_venv() { ensure_python_env "$ROOT/.venv-sam" "$ROOT/scripts/requirements-sam.txt"; }

mysql_root() {
  # Root over TCP with an empty password (CI machines), else over the unix socket (fresh apt installs).
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if db_cli -h "$DB_HOST" -P "$DB_PORT" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
    db_cli -h "$DB_HOST" -P "$DB_PORT" -uroot "$@"
  elif [ -n "${DB_ROOT_PASSWORD:-}" ]; then
    db_cli -h "$DB_HOST" -P "$DB_PORT" -uroot -p"$DB_ROOT_PASSWORD" "$@"
  else
    $sudo "$(command -v mariadb || command -v mysql)" -uroot "$@"
  fi
}

# MariaDB on DB_HOST:DB_PORT with an application user that may create test databases.
ensure_mariadb() {
  if ! db_admin ping -h "$DB_HOST" -P "$DB_PORT" --connect-timeout=2 >/dev/null 2>&1 \
     && ! db_user -e 'SELECT 1' >/dev/null 2>&1; then
    if ! command -v mysqld >/dev/null && ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then
      apt_install mariadb-server mariadb-client
    fi
    log "starting the database server"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if $sudo service mariadb start >/dev/null 2>&1 || $sudo service mysql start >/dev/null 2>&1; then :; else
      $sudo start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    fi
    wait_for "the database on $DB_HOST:$DB_PORT" 60 db_admin ping -h "$DB_HOST" -P "$DB_PORT" --connect-timeout=2
  fi
  # The user creates test databases, and the database users the roles tests grant to (GRANT
  # OPTION; crates/taskboard-mysql/tests/roles.rs). Granted again where an older run made it without.
  if ! db_user -e 'SELECT 1' >/dev/null 2>&1 || ! db_user -e 'SHOW GRANTS' 2>/dev/null | grep -q 'WITH GRANT OPTION'; then
    log "creating the local database user '$DB_USER'"
    mysql_root -e "
      CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
      CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
      GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'127.0.0.1' WITH GRANT OPTION;
      GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'localhost' WITH GRANT OPTION;
      FLUSH PRIVILEGES;" || die "could not create the MariaDB user '$DB_USER'"
  fi
}

moto_up() { curl -fsS "http://$MOTO_HOST:$MOTO_PORT/moto-api/" >/dev/null 2>&1; }

# The AWS emulator on MOTO_HOST:MOTO_PORT: reuse one that answers, else start ours.
ensure_moto() {
  if moto_up; then
    log "reusing the AWS emulator on $MOTO_HOST:$MOTO_PORT"
    return 0
  fi
  if (exec 3<>"/dev/tcp/$MOTO_HOST/$MOTO_PORT") 2>/dev/null; then
    die "port $MOTO_PORT is taken by something that is not the AWS emulator; set MOTO_PORT"
  fi
  log "starting the AWS emulator (moto) on $MOTO_HOST:$MOTO_PORT"
  "$VENV/bin/moto_server" -H "$MOTO_HOST" -p "$MOTO_PORT" >"$STATE_DIR/moto.log" 2>&1 &
  STARTED_PIDS+=("$!")
  wait_for "the AWS emulator (see .dev/moto.log)" 60 moto_up
}

# Delete the emulator's DynamoDB tables whose names start with PREFIX (a test run's own).
delete_tables_with_prefix() {
  "$VENV/bin/python" - "$1" <<'PY'
import os, sys
import boto3
prefix = sys.argv[1]
client = boto3.client(
    "dynamodb",
    endpoint_url=os.environ["AWS_ENDPOINT_URL"],
    region_name=os.environ.get("AWS_REGION", "eu-west-1"),
)
for page in client.get_paginator("list_tables").paginate():
    for name in page.get("TableNames", []):
        if name.startswith(prefix):
            client.delete_table(TableName=name)
PY
}

stop_started() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${STARTED_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  STARTED_PIDS=()
}

# Release builds with cargo-lambda (x86-64 here; the deploy workflow builds arm64). One set of
# binaries for `make test` and `make bench`, so they share a single build.
RELEASE_BINS=(login tasks-api relay migrate log-notifier publisher taskboard taskboard-bench bench-hello bench-hello-current-thread)
build_release() {
  ensure_venv
  local args=()
  for bin in "${RELEASE_BINS[@]}"; do args+=(--bin "$bin"); done
  PATH="$VENV/bin:$PATH" cargo lambda build --release --x86-64 "${args[@]}"
}
