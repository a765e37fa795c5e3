#!/bin/sh
# Stand-in for the official node images' docker-entrypoint.sh (nodejs/docker-node, the script
# test/docker/images/manifests.json names for node:24-bookworm-slim): a first argument that is
# an option, is not a command on PATH, or is a file that is not executable, is run by node.
set -e
if [ "${1#-}" != "$1" ] || [ -z "$(command -v "$1" || true)" ] || { [ -f "$1" ] && ! [ -x "$1" ]; }; then
  set -- node "$@"
fi
exec "$@"
