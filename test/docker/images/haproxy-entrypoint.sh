#!/bin/sh
# What the official haproxy image's entrypoint does (docker-library/haproxy
# 3.0/docker-entrypoint.sh): options alone mean "haproxy <options>", and haproxy runs in
# master-worker mode (-W) in the foreground (-db), so SIGUSR1 reaches the master, which
# soft-stops the workers.
set -e
if [ "${1#-}" != "$1" ]; then
  set -- haproxy "$@"
fi
if [ "$1" = haproxy ]; then
  shift
  set -- haproxy -W -db "$@"
fi
exec "$@"
