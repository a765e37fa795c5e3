#!/usr/bin/env bash
# A private Docker engine for the layer-5 tests: its own binaries, socket, data root, exec
# root, pidfile and address pool, so it never touches another daemon or its networks.
#   test/docker/engine.sh start   # installs (once) and starts it (idempotent); prints DOCKER_HOST=…
#   test/docker/engine.sh stop    # removes our containers, networks and volumes, stops it
#   test/docker/engine.sh env     # prints DOCKER_HOST=… if it is running
#   test/docker/engine.sh docker  # prints the path of the engine's own docker CLI
#
# Users run Docker Engine 25 or newer (README: the provider's Go client refuses a healthcheck
# `startInterval` below API 1.44, moby client/container_create.go), so layer 5 must too.
# Debian 12's docker.io is 20.10 (API 1.41), so the engine is Debian 13 (trixie)'s docker.io
# 26.1.5 with its containerd 1.7 and CLI, unpacked from their .debs into $base/engine: no
# change to this machine's apt sources or packages. Those binaries need glibc 2.34, which
# bookworm has (2.36); trixie's runc needs 2.38, so runc, tini (docker-init) and iptables come
# from the machine's own release (.ci/run installs them).
# Images stay in the data root between runs on one machine, so a second run skips the build.
set -euo pipefail
base=${API_STACK_DOCKER_DIR:-/var/tmp/api-stack-docker}
# containerd's socket path must stay under 108 bytes, so the exec root is short.
exec_root=${API_STACK_DOCKER_EXEC:-/run/asdk}
engine="$base/engine"
sock="$base/docker.sock"
pidfile="$base/docker.pid"
export DOCKER_HOST="unix://$sock"
docker="$engine/usr/bin/docker"
# The oldest Docker Engine API the stacks support: 1.44 is Engine 25.0 (docs/deploying.md).
min_api=1.44
release=trixie
packages=(docker.io containerd docker-cli)

running() { [ -S "$sock" ] && [ -x "$docker" ] && "$docker" version >/dev/null 2>&1; }

# Unpacks trixie's engine packages into $engine, with apt's state kept in $base/apt.
install_engine() {
  [ -x "$engine/usr/sbin/dockerd" ] && [ -x "$docker" ] && return 0
  for bin in runc tini-static iptables apt-get dpkg-deb; do
    command -v "$bin" >/dev/null || {
      echo "$bin not found: apt-get install -y runc tini iptables" >&2
      exit 1
    }
  done
  local apt="$base/apt"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $release main" >"$apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
  echo "fetching $release's ${packages[*]} into $engine" >&2
  apt-get "${opts[@]}" -qq update >&2
  (cd "$apt/debs" && apt-get "${opts[@]}" -qq download "${packages[@]}" >&2)
  rm -rf "$engine.new"
  mkdir -p "$engine.new"
  for deb in "$apt/debs"/*.deb; do dpkg-deb -x "$deb" "$engine.new"; done
  rm -rf "$engine" "$apt/debs"
  mv "$engine.new" "$engine"
}

case "${1:-}" in
  start)
    if ! running; then
      [ "$(id -u)" -eq 0 ] || { echo "the private dockerd must run as root" >&2; exit 1; }
      install_engine
      mkdir -p "$base/data" "$exec_root"
      # dockerd finds containerd, its shims and docker-proxy on PATH: ours first.
      # bip and the pool are private ranges for this daemon's bridges only.
      PATH="$engine/usr/sbin:$engine/usr/bin:$PATH" nohup "$engine/usr/sbin/dockerd" \
        --data-root "$base/data" --exec-root "$exec_root" --pidfile "$pidfile" \
        -H "unix://$sock" --bip 10.213.0.1/24 \
        --default-address-pool base=10.214.0.0/16,size=24 \
        --init-path "$(command -v tini-static)" \
        --storage-driver overlay2 --log-level warn ${API_STACK_DOCKERD_ARGS:-} \
        >"$base/dockerd.log" 2>&1 &
      for _ in $(seq 1 60); do running && break; sleep 0.5; done
      running || { echo "dockerd did not start; its log:" >&2; tail -20 "$base/dockerd.log" >&2; exit 1; }
      # Started with sudo: the tests run as the invoking user, who gets this socket alone.
      [ -z "${SUDO_UID:-}" ] || chown "$SUDO_UID" "$sock"
    fi
    api=$("$docker" version --format '{{.Server.APIVersion}}')
    if [ "$(printf '%s\n%s\n' "$min_api" "$api" | sort -V | head -1)" != "$min_api" ]; then
      echo "the private engine speaks API $api, older than $min_api (Docker Engine 25): remove $engine and start again" >&2
      exit 1
    fi
    echo "DOCKER_HOST=$DOCKER_HOST"
    ;;
  env)
    running && echo "DOCKER_HOST=$DOCKER_HOST"
    ;;
  docker)
    echo "$docker"
    ;;
  stop)
    if running; then
      ids=$("$docker" ps -aq --filter label=com.api-stack.stack)
      [ -z "$ids" ] || "$docker" rm -f -v $ids >/dev/null
      "$docker" network prune -f >/dev/null
      "$docker" volume prune -af >/dev/null
    fi
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
    ;;
  *)
    echo "usage: $0 start|stop|env|docker" >&2
    exit 2
    ;;
esac
