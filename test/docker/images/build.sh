#!/usr/bin/env bash
# Builds the stand-in images the stack files reference, from Debian trixie packages, on the
# private engine (there is no registry here). Each is tagged with the exact reference a
# stack file uses, so the applier finds it locally as the provider would after a pull.
# A stand-in holds no tool its real tag lacks: test/docker/images/manifests.json records, per
# tag, the docker-library commit that built it, its user, entrypoint, stop signal and which
# binaries it has and lacks, and test/docker/standins.test.ts checks the built images against it.
#   redis:7.4-alpine, redis:7.4.2-alpine   Debian's redis-server 8.0 (trixie), uid 999; the
#                                          setpriv and the gosu entrypoint respectively
#   valkey/valkey:8.1-alpine               Debian's valkey-server 8.1 (trixie), uid 999, setpriv
#   node:24-bookworm-slim                  this machine's Node 24 binary on trixie, no curl
#   ghcr.io/acme/api:1.4.2, :1.4.3         examples/api built with its own Dockerfile (which
#                                          installs curl, as it must on the real node image)
#   haproxy:3.0.11                         Debian's haproxy 3.0.11 (trixie), laid out as the
#                                          official image is: bash, no socat, curl or ps
#   amazon/aws-cli:2.36.7                  Debian's awscli 2.23.6 (trixie) as /usr/local/bin/aws,
#                                          root, WORKDIR /aws: no tar, which, apt or dpkg
# Skips what is already built from the same inputs (a label carries their hash).
#   DOCKER_HOST=unix:///… test/docker/images/build.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
: "${DOCKER_HOST:?set DOCKER_HOST to the private engine: export \"\$(test/docker/engine.sh start)\"}"
export DOCKER_HOST
# The engine's own CLI (test/docker/engine.sh); its legacy builder needs no buildx plugin.
docker=${DOCKER_BIN:-$("$here/../engine.sh" docker)}
export DOCKER_BUILDKIT=0
cache=${API_STACK_ROOTFS_CACHE:-/var/tmp/api-stack-rootfs}
node_bin=$(command -v node)
stamp=$( (cat "$0" "$here/redis-entrypoint.sh" "$here/haproxy-entrypoint.sh" "$here/node-entrypoint.sh" "$root/examples/api/Dockerfile"; "$node_bin" -v) | sha256sum | cut -c1-16)

built() {
  [ "$("$docker" image inspect -f '{{index .Config.Labels "com.api-stack.standin"}}' "$1" 2>/dev/null)" = "$stamp" ]
}

in_root() { chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive /bin/sh -ec "$2"; }

# One debootstrap per machine; every image starts from a copy of it.
if [ ! -f "$cache/base/.done-minimal" ]; then
  command -v debootstrap >/dev/null || { echo "debootstrap not found: apt-get install -y debootstrap" >&2; exit 1; }
  rm -rf "$cache/base"
  mkdir -p "$cache"
  echo "debootstrap trixie into $cache/base"
  debootstrap --variant=minbase trixie "$cache/base" http://deb.debian.org/debian >/dev/null
  # No service may start inside the chroot while packages install.
  printf '#!/bin/sh\nexit 101\n' >"$cache/base/usr/sbin/policy-rc.d"
  chmod +x "$cache/base/usr/sbin/policy-rc.d"
  in_root "$cache/base" 'apt-get update -qq; apt-get install -y -qq --no-install-recommends libstdc++6 >/dev/null'
  touch "$cache/base/.done-minimal"
fi

# variant NAME SETUP: a copy of the base with SETUP run inside it.
variant() {
  local dir="$cache/$1"
  if [ ! -f "$dir/.done-$stamp" ]; then
    rm -rf "$dir"
    cp -a "$cache/base" "$dir"
    in_root "$dir" "$2"
    touch "$dir/.done-$stamp"
  fi
}

# import DIR TAG [--change …]: the directory as a one-layer image.
import() {
  local dir=$1 tag=$2
  shift 2
  tar -C "$dir" --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' --exclude='./.done*' -cf - . |
    "$docker" import --change "LABEL com.api-stack.standin=$stamp" "$@" - "$tag" >/dev/null
  echo "built $tag"
}

# server_image FLAVOUR VARIANT DROP TAG...: Redis or Valkey as uid 999, with the entrypoint
# generation DROP (gosu or setpriv). The Alpine images have no bash, curl or perl: removed.
server_image() {
  local flavour=$1 variant=$2 drop=$3
  shift 3
  if built "$1"; then
    echo "up to date: $*"
  else
    local extra=""
    [ "$drop" = gosu ] && extra=gosu
    variant "$variant" "
      groupadd -r -g 999 $flavour
      useradd -r -g $flavour -u 999 -d /data -s /usr/sbin/nologin $flavour
      apt-get install -y -qq --no-install-recommends $flavour-server $flavour-tools $extra >/dev/null
      rm -rf /var/lib/apt/lists/*
      rm -f /bin/bash /usr/bin/bash /usr/bin/perl /usr/bin/perl5*
      mkdir -p /data
      chown $flavour:$flavour /data"
    install -m 0755 "$here/redis-entrypoint.sh" "$cache/$variant/usr/local/bin/docker-entrypoint.sh"
    import "$cache/$variant" "$1" \
      --change "ENV SERVER=$flavour-server SERVER_USER=$flavour DROP=$drop" \
      --change 'WORKDIR /data' --change 'VOLUME /data' --change 'EXPOSE 6379' \
      --change 'ENTRYPOINT ["docker-entrypoint.sh"]' --change "CMD [\"$flavour-server\"]"
  fi
  for extra in "${@:2}"; do "$docker" tag "$1" "$extra"; done
}

server_image redis redis setpriv redis:7.4-alpine
server_image redis redis-gosu gosu redis:7.4.2-alpine
server_image valkey valkey setpriv valkey/valkey:8.1-alpine

if built node:24-bookworm-slim; then
  echo "up to date: node:24-bookworm-slim"
else
  variant node "groupadd -g 1000 node; useradd -u 1000 -g node -m -s /bin/sh node"
  install -m 0755 "$node_bin" "$cache/node/usr/local/bin/node"
  install -m 0755 "$here/node-entrypoint.sh" "$cache/node/usr/local/bin/docker-entrypoint.sh"
  import "$cache/node" node:24-bookworm-slim \
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]' --change 'CMD ["node"]'
fi

# The edge proxy. docker-library/haproxy 3.0/Dockerfile at 2ff3f8bc (the last 3.0.11 build):
# user haproxy (uid/gid 99), the config at /usr/local/etc/haproxy/haproxy.cfg, Debian slim's
# bash and coreutils but no socat (added in 3fc33290, after 3.0.11), curl, wget, nc or ps,
# STOPSIGNAL SIGUSR1 (HAProxy's soft stop, doc/management.txt section 4), WORKDIR
# /var/lib/haproxy, and an entrypoint that runs `haproxy -W -db`.
if built haproxy:3.0.11; then
  echo "up to date: haproxy:3.0.11"
else
  variant haproxy "
    apt-get install -y -qq --no-install-recommends haproxy >/dev/null
    # Debian's package makes a system user with the next free uid; the image's is 99.
    usermod --uid 99 haproxy
    groupmod --gid 99 haproxy
    rm -rf /var/lib/apt/lists/* /etc/haproxy
    mkdir -p /usr/local/etc/haproxy /var/lib/haproxy
    chown haproxy:haproxy /var/lib/haproxy"
  install -m 0755 "$here/haproxy-entrypoint.sh" "$cache/haproxy/usr/local/bin/docker-entrypoint.sh"
  import "$cache/haproxy" api-stack-haproxy-base \
    --change 'USER haproxy' --change 'WORKDIR /var/lib/haproxy' \
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
    --change 'CMD ["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]'
  # `docker import --change` has no STOPSIGNAL, so one Dockerfile line adds it.
  printf 'FROM api-stack-haproxy-base\nSTOPSIGNAL SIGUSR1\n' |
    "$docker" build -q --label "com.api-stack.standin=$stamp" -t haproxy:3.0.11 - >/dev/null
  "$docker" rmi api-stack-haproxy-base >/dev/null
  echo "built haproxy:3.0.11"
fi

# The AWS CLI v2 image. aws/aws-cli docker/Dockerfile at 2.36.7 (73fb33bb, unchanged since
# e0dba6bc): FROM public.ecr.aws/amazonlinux/amazonlinux:2023, `dnf install -y less groff
# findutils jq`, the installer's /usr/local/aws-cli and /usr/local/bin (aws, aws_completer),
# WORKDIR /aws, ENTRYPOINT ["/usr/local/bin/aws"], no USER (root), no CMD, no STOPSIGNAL.
# The AL2023 container is minimal: bash, coreutils-single, grep, sed, gawk, curl-minimal and
# python3 for dnf, but no tar (aws/aws-cli#5106), which (amazon-linux-2023#297) or unzip
# (installer stage only). Debian's awscli is an older 2.x (manifests.json says which) with the
# same default checksum behaviour (>= 2.23.0). Debian-only tools are removed, and so is what
# the AL2023 container is not known to carry (perl, gzip, hostname, util-linux's and shadow's
# tools): a stand-in may lack a tool its tag has, never the reverse.
if built amazon/aws-cli:2.36.7; then
  echo "up to date: amazon/aws-cli:2.36.7"
else
  variant awscli "
    apt-get install -y -qq --no-install-recommends awscli less groff-base jq curl >/dev/null
    ln -s /usr/bin/aws /usr/local/bin/aws
    mkdir -p /aws
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
    rm -f /usr/bin/tar /usr/bin/gzip /usr/bin/gunzip /usr/bin/zcat /usr/bin/which /usr/bin/which.debianutils \\
      /etc/alternatives/which /usr/bin/perl /usr/bin/perl5* /usr/bin/apt /usr/bin/apt-* /usr/bin/dpkg \\
      /usr/bin/dpkg-* /usr/sbin/dpkg-* /usr/bin/hostname /usr/bin/su /usr/bin/mount /usr/bin/umount \\
      /usr/bin/setpriv /usr/sbin/runuser /usr/bin/pidof /usr/bin/login /usr/sbin/useradd \\
      /usr/sbin/groupadd /usr/sbin/usermod /usr/sbin/groupmod /usr/sbin/userdel"
  import "$cache/awscli" amazon/aws-cli:2.36.7 \
    --change 'WORKDIR /aws' --change 'ENTRYPOINT ["/usr/local/bin/aws"]'
fi

# The example API, built the way a user builds it: its build script, then its Dockerfile.
if [ -f "$root/examples/api/Dockerfile" ]; then
  "$node_bin" "$root/examples/api/build.mjs" >/dev/null
  "$docker" build -q --label "com.api-stack.standin=$stamp" \
    --build-arg NODE_IMAGE=node:24-bookworm-slim \
    -t ghcr.io/acme/api:1.4.2 "$root/examples/api" >/dev/null
  # The image bump of the replacement scenarios: the same build under the next tag.
  "$docker" tag ghcr.io/acme/api:1.4.2 ghcr.io/acme/api:1.4.3
  # A release that never turns healthy: the same image whose process never listens, for the
  # failed-deploy scenarios (test/docker/unhealthy-image.test.ts).
  printf 'FROM ghcr.io/acme/api:1.4.2\nCMD ["node", "-e", "setInterval(() => {}, 60000)"]\n' |
    "$docker" build -q --label "com.api-stack.standin=$stamp" -t ghcr.io/acme/api:1.4.4-never-healthy - >/dev/null
  echo "built ghcr.io/acme/api:1.4.2 (and :1.4.3, :1.4.4-never-healthy) from examples/api/Dockerfile"
fi
