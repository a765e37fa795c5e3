#!/usr/bin/env bash
# A private Docker engine for the layer-5 tests: its own socket, data root, exec root,
# pidfile and address pool, so it never touches another daemon or its networks.
#   test/docker/engine.sh start   # starts it (idempotent) and prints DOCKER_HOST=…
#   test/docker/engine.sh stop    # removes our containers, networks and volumes, stops it
#   test/docker/engine.sh env     # prints DOCKER_HOST=… if it is running
# Images stay in the data root between runs on one machine, so a second run skips the build.
set -euo pipefail
base=${API_STACK_DOCKER_DIR:-/var/tmp/api-stack-docker}
# containerd's socket path must stay under 108 bytes, so the exec root is short.
exec_root=${API_STACK_DOCKER_EXEC:-/run/asdk}
sock="$base/docker.sock"
pidfile="$base/docker.pid"
export DOCKER_HOST="unix://$sock"
docker=${DOCKER_BIN:-/usr/bin/docker}

running() { [ -S "$sock" ] && "$docker" version >/dev/null 2>&1; }

case "${1:-}" in
  start)
    if ! running; then
      command -v dockerd >/dev/null || { echo "dockerd not found: apt-get install -y docker.io" >&2; exit 1; }
      [ "$(id -u)" -eq 0 ] || { echo "the private dockerd must run as root" >&2; exit 1; }
      mkdir -p "$base/data" "$exec_root"
      # bip and the pool are private ranges for this daemon's bridges only.
      nohup dockerd \
        --data-root "$base/data" --exec-root "$exec_root" --pidfile "$pidfile" \
        -H "unix://$sock" --bip 10.213.0.1/24 \
        --default-address-pool base=10.214.0.0/16,size=24 \
        --storage-driver overlay2 --log-level warn \
        >"$base/dockerd.log" 2>&1 &
      for _ in $(seq 1 60); do running && break; sleep 0.5; done
      running || { echo "dockerd did not start; its log:" >&2; tail -20 "$base/dockerd.log" >&2; exit 1; }
      # Started with sudo: the tests run as the invoking user, who gets this socket alone.
      [ -z "${SUDO_UID:-}" ] || chown "$SUDO_UID" "$sock"
    fi
    echo "DOCKER_HOST=$DOCKER_HOST"
    ;;
  env)
    running && echo "DOCKER_HOST=$DOCKER_HOST"
    ;;
  stop)
    if running; then
      ids=$("$docker" ps -aq --filter label=com.api-stack.stack)
      [ -z "$ids" ] || "$docker" rm -f $ids >/dev/null
      "$docker" network prune -f >/dev/null
      "$docker" volume prune -f >/dev/null
    fi
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
    ;;
  *)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
