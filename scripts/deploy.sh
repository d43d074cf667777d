#!/usr/bin/env bash
# Deploy a new registry binary with a safety net: back up the data, install,
# restart, wait for readiness, and roll back (binary and data) on failure.
#
#   scripts/deploy.sh --binary ./registry-1.4.0 \
#       --install /opt/registry/registry --data /var/lib/registry \
#       [--url http://127.0.0.1:8090] [--attempts 12] [--interval 5] \
#       [--stop-cmd "systemctl stop registry"] [--start-cmd "systemctl start registry"]
#
# Steps: 1. the running version backs up the data directory; 2. the current
# binary is kept as <install>.previous; 3. the new binary replaces it
# atomically; 4. the service is restarted; 5. readiness is polled
# (--attempts × --interval seconds) and the new version must answer on
# /health/live/. If it does not, the previous binary is put back, the
# backup restored (undoing the new version's migrations) and the service
# started again. Writes made in between are lost; see docs/rollout.md.
set -euo pipefail

binary="" install="" data="" url="http://127.0.0.1:8090"
attempts=12 interval=5
stop_cmd="systemctl stop registry" start_cmd="systemctl start registry"

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --install) install=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --url) url=${2%/}; shift 2 ;;
    --attempts) attempts=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --stop-cmd) stop_cmd=$2; shift 2 ;;
    --start-cmd) start_cmd=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "deploy: unknown option $1" >&2; usage ;;
  esac
done
[ -n "$binary" ] && [ -n "$install" ] && [ -n "$data" ] || { echo "deploy: --binary, --install and --data are required" >&2; usage; }

say() { printf '[deploy %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }

[ -x "$binary" ] || die "$binary is not an executable"
new_version=$("$binary" --version) || die "$binary --version failed: not a registry binary?"
[ -x "$install" ] || die "$install does not exist: install the first version by hand (see docs/rollout.md)"
old_version=$("$install" --version)
say "deploying $new_version over $old_version (data: $data)"

# wait_ready VERSION: poll readiness, then check the expected version answers.
wait_ready() {
  local want=$1 i
  for ((i = 1; i <= attempts; i++)); do
    if "$install" healthcheck --url "$url/health/ready/" --timeout 3s >/dev/null 2>&1 &&
       [ "$(live_version)" = "$want" ]; then
      say "ready: version $want answers (attempt $i/$attempts)"
      return 0
    fi
    sleep "$interval"
  done
  return 1
}

# live_version prints the version reported by /health/live/ (no curl needed).
live_version() {
  "$install" healthcheck --url "$url/health/live/" --print-body --timeout 3s 2>/dev/null |
    sed -n 's/.*"version":"\([^"]*\)".*/\1/p'
}

backup="pre-deploy-$(date -u +%Y%m%d_%H%M%S).zip"
say "1/5 backing up the data with the running version: $backup"
"$install" backup create "$backup" --dir "$data" >/dev/null || die "the backup failed; nothing was changed"

say "2/5 keeping the current binary as $install.previous"
cp -p "$install" "$install.previous"

say "3/5 installing $new_version"
cp "$binary" "$install.new"
chmod 0755 "$install.new"
mv -f "$install.new" "$install"

say "4/5 restarting"
sh -c "$stop_cmd" || true
sh -c "$start_cmd" || say "the start command failed"

say "5/5 waiting for readiness (up to $((attempts * interval)) s)"
if wait_ready "$new_version"; then
  say "deployed $new_version. Previous binary: $install.previous; backup: $data/backups/$backup"
  exit 0
fi

say "ROLLING BACK: $new_version did not become ready"
sh -c "$stop_cmd" || true
mv -f "$install.previous" "$install"
if "$install" backup restore "$backup" --yes --dir "$data"; then
  say "data restored from $backup"
else
  say "WARNING: restoring $backup failed; the data may carry the new version's migrations"
fi
sh -c "$start_cmd" || true
if wait_ready "$old_version"; then
  die "deploy of $new_version failed; rolled back to $old_version, which is ready"
fi
die "deploy of $new_version failed and $old_version did not come back: check the service logs now"
