#!/usr/bin/env bash
# Installs the Debian packages the test tiers need (chromium for the browser
# tier among them) and starts the local services they talk to: PostgreSQL
# (127.0.0.1:5432), Redis (127.0.0.1:6379) and pcscd with the vpcd
# virtual-reader driver (TCP 35963 and 35964).
#
# Sourced by .ci/run; developers can run it on its own:
#     bash .ci/services.sh
# Idempotent: packages already installed and services already up are left alone.
set -euo pipefail

CI_LOG_DIR="${CI_LOG_DIR:-/tmp/cpx-ci}"
mkdir -p "$CI_LOG_DIR"

ci_section() {
  printf '\n==================== %s ====================\n' "$*"
}

ci_warn() {
  printf '\n' >&2
  printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' >&2
  printf '!!! WARNING: %s\n' "$*" >&2
  printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' >&2
}

# Runs "$@" up to 3 times (package mirrors can hiccup).
ci_retry() {
  local n
  for n in 1 2 3; do
    if "$@"; then return 0; fi
    echo "command failed (attempt $n/3): $*" >&2
    [[ $n -lt 3 ]] && sleep $((n * 5))
  done
  return 1
}

ci_install_packages() {
  ci_section "Debian packages"
  # poppler-utils: pdftotext, pdfinfo and pdffonts read back the letters' PDFs in the tests.
  # chromium, chromium-l10n, fonts-dejavu-core: the browser tier's browser (Playwright never downloads one:
  # PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1), its French (date fields as jj/mm/aaaa) and a font for its screenshots.
  local wanted=(postgresql-client pcscd vsmartcard-vpcd libpcsclite-dev pcsc-tools openssl zip unzip poppler-utils chromium chromium-l10n fonts-dejavu-core)
  # The node-svc machines come with the servers; install them too if absent
  # so the script also works on a bare Debian 12.
  command -v pg_ctlcluster >/dev/null 2>&1 || wanted+=(postgresql)
  command -v redis-server  >/dev/null 2>&1 || wanted+=(redis-server)
  command -v pgrep         >/dev/null 2>&1 || wanted+=(procps)
  command -v ip            >/dev/null 2>&1 || wanted+=(iproute2)

  local missing=() p
  for p in "${wanted[@]}"; do
    # dpkg -s also succeeds for removed-but-not-purged packages: read Status.
    if dpkg -s "$p" 2>/dev/null | grep -x 'Status: install ok installed' >/dev/null; then
      echo "  ok       $p"
    else
      echo "  missing  $p"
      missing+=("$p")
    fi
  done

  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "All required Debian packages are installed."
    return 0
  fi

  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing packages (${missing[*]}) and not root: install them with" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    return 1
  fi

  local t0=$SECONDS
  echo "Installing: ${missing[*]}"
  ci_retry apt-get update -q
  ci_retry env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${missing[@]}" </dev/null
  echo "Package install took $((SECONDS - t0)) s."
}

ci_start_postgres() {
  ci_section "PostgreSQL"
  if pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "PostgreSQL already accepting connections on 127.0.0.1:5432."
    return 0
  fi
  local ver
  ver=$(pg_lsclusters -h | awk 'NR==1{print $1}')
  if [[ -z "$ver" ]]; then
    echo "No PostgreSQL cluster found (pg_lsclusters is empty)." >&2
    return 1
  fi
  echo "Starting PostgreSQL cluster $ver/main ..."
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  local i
  for i in $(seq 1 30); do
    if pg_isready -q -h 127.0.0.1 -p 5432; then
      echo "PostgreSQL ready after ${i} s."
      return 0
    fi
    sleep 1
  done
  echo "PostgreSQL did not become ready within 30 s." >&2
  pg_lsclusters >&2 || true
  tail -n 30 "/var/log/postgresql/postgresql-$ver-main.log" >&2 2>/dev/null || true
  return 1
}

ci_redis_up() {
  [[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" == "PONG" ]]
}

ci_start_redis() {
  ci_section "Redis"
  if ci_redis_up; then
    echo "Redis already answering PONG on 127.0.0.1:6379."
    return 0
  fi
  echo "Starting Redis ..."
  # "-::1": also bind IPv6 loopback when available ("localhost" may resolve to ::1).
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir "$CI_LOG_DIR" --logfile "$CI_LOG_DIR/redis.log"
  local i
  for i in $(seq 1 30); do
    if ci_redis_up; then
      echo "Redis ready after ${i} s."
      return 0
    fi
    sleep 1
  done
  echo "Redis did not answer PONG within 30 s." >&2
  tail -n 30 "$CI_LOG_DIR/redis.log" >&2 2>/dev/null || true
  return 1
}

# True when something listens on TCP port $1 (IPv4 or IPv6), read from /proc
# so that nothing connects to the port (a connection to vpcd is a card insert).
ci_tcp_listening() {
  local hex
  hex=$(printf '%04X' "$1")
  awk -v p=":$hex" 'FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p { found = 1 }
                    END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Live (non-zombie) pcscd pids, one a line; fails when there is none.
ci_pcscd_pids() {
  local p found=1
  for p in $(pgrep -x pcscd 2>/dev/null); do
    if [[ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != "Z" ]]; then
      echo "$p"
      found=0
    fi
  done
  return $found
}

ci_start_pcscd() {
  ci_section "pcscd (PC/SC daemon, vpcd virtual readers on TCP 35963 and 35964)"
  if ci_pcscd_pids >/dev/null; then
    echo "pcscd already running (pid $(ci_pcscd_pids | paste -sd' '))."
  elif ! command -v pcscd >/dev/null 2>&1 && [[ ! -x /usr/sbin/pcscd ]]; then
    ci_warn "pcscd is not installed; the PC/SC test tier will fail."
    return 0
  else
    ci_launch_pcscd
  fi

  if ci_wait_vpcd 15; then return 0; fi

  if ! ci_pcscd_pids >/dev/null; then
    # It exited at once (seen when a killed pcscd was not yet reaped as it
    # started: it took the stale pid file for a live daemon). One more try.
    echo "pcscd exited at start; trying once more ..."
    ci_launch_pcscd
    if ci_wait_vpcd 15; then return 0; fi
  fi

  if ci_pcscd_pids >/dev/null; then
    # pcscd may predate the vpcd install: ask it to re-read reader.conf.d.
    echo "pcscd runs but vpcd's TCP ports are closed; asking pcscd to rescan readers ..."
    "$(command -v pcscd || echo /usr/sbin/pcscd)" --hotplug >/dev/null 2>&1 || true
    if ci_wait_vpcd 10; then return 0; fi
    ci_warn "pcscd is running but vpcd does not listen on TCP 35963 and 35964 (vpcd driver not loaded? is vsmartcard-vpcd installed? restart pcscd). Log: $CI_LOG_DIR/pcscd.log"
  else
    ci_warn "pcscd failed to start; the PC/SC test tier will fail. Log: $CI_LOG_DIR/pcscd.log"
  fi
  tail -n 30 "$CI_LOG_DIR/pcscd.log" >&2 2>/dev/null || true
  return 0
}

# Starts pcscd in the background, detached, logging to $CI_LOG_DIR/pcscd.log.
ci_launch_pcscd() {
  echo "Starting pcscd ..."
  mkdir -p /run/pcscd 2>/dev/null || true
  # No pcscd is alive (the caller checked), so a socket or pid file left by
  # one that died (kill -9, crash, a container stopped) is stale; pcscd itself
  # refuses to start while they exist and their pid looks alive.
  rm -f /run/pcscd/pcscd.comm /run/pcscd/pcscd.pid 2>/dev/null || true
  local bin
  bin=$(command -v pcscd || echo /usr/sbin/pcscd)
  # --foreground keeps it as our own child with logs in a file; setsid
  # detaches it from this script's session and stdio.
  setsid "$bin" --foreground --info </dev/null >>"$CI_LOG_DIR/pcscd.log" 2>&1 &
  disown || true
}

# vpcd (vsmartcard 3.3, Debian 12) writes each message's 2-byte length and its
# payload in two TCP segments without TCP_NODELAY (fixed upstream later, vsmartcard
# PR #323): with the card's delayed ACKs every APDU then waits ~40 ms. The test
# cards connect to vpcd through 127.0.0.2 (vpcd listens on 0.0.0.0); this route
# makes the kernel ACK at once on those connections only (3 ms for 10 APDUs
# instead of 440 ms). Nothing else on the machine uses 127.0.0.2.
ci_vpcd_quickack_route() {
  if ip route show table local 2>/dev/null | grep -q '^local 127.0.0.2 .*quickack 1'; then
    echo "Route 127.0.0.2 (quickack, for the vpcd test cards) already set."
  elif [[ $(id -u) -eq 0 ]] && command -v ip >/dev/null 2>&1 &&
    ip route replace local 127.0.0.2 dev lo table local quickack 1 2>/dev/null; then
    echo "Route 127.0.0.2 (quickack, for the vpcd test cards) set."
  else
    ci_warn "could not set the quickack route for 127.0.0.2: the PC/SC tests will run ~40 ms per APDU slower (needs root and iproute2)."
  fi
}

# Waits up to $1 s for a live pcscd with vpcd listening on TCP 35963 and
# 35964 (its two readers, Virtual PCD 00 00 and 00 01).
ci_wait_vpcd() {
  local i
  for i in $(seq 1 "$1"); do
    if ci_pcscd_pids >/dev/null && ci_tcp_listening 35963 && ci_tcp_listening 35964; then
      echo "pcscd running; vpcd listening on TCP 35963 and 35964."
      ci_vpcd_quickack_route
      if command -v pcsc_scan >/dev/null 2>&1; then
        echo "PC/SC readers:"
        timeout 10 pcsc_scan -r 2>&1 | sed 's/^/  /' || true
      fi
      return 0
    fi
    sleep 1
  done
  return 1
}

ci_services_main() {
  ci_install_packages
  ci_start_postgres
  ci_start_redis
  ci_start_pcscd
}

ci_services_main
