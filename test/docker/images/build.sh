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
#   prom/prometheus:v2.53.3                Debian's prometheus 2.53.3 (trixie) on Debian's static
#                                          busybox laid out as prom's busybox base: nobody, sh and
#                                          wget but no curl or bash
#   prom/alertmanager:v0.28.1              Debian's prometheus-alertmanager 0.28.1 (trixie), the
#                                          same base
#   oliver006/redis_exporter:v1.69.0       Debian's prometheus-redis-exporter 1.69.0 (trixie) as
#                                          /redis_exporter, uid 59000, no shell at all
#   oliver006/redis_exporter:v1.69.0-alpine the same on Alpine's layout: busybox sh and wget
#   goacme/lego:v4.9.1                     Debian's lego 4.9.1 (trixie) as /usr/bin/lego on
#                                          Alpine's layout (busybox sh), root, entrypoint lego
#   api-stack-test/pebble:2.6.0            a test image, no real tag: Debian's pebble 2.6.0 and
#                                          pebble-challtestsrv with busybox sh (layer 5's ACME CA)
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
stamp=$( (cat "$0" "$here/redis-entrypoint.sh" "$here/haproxy-entrypoint.sh" "$here/node-entrypoint.sh" "$root/examples/api/Dockerfile" "$here/busybox-uclibc-1.36.1.bin"; "$node_bin" -v) | sha256sum | cut -c1-16)

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
    # valkey-container's 8.1/alpine has had no VOLUME since its PR #84 (manifests.json
    # volumesNote); docker-library/redis 7.4/alpine keeps VOLUME /data.
    local volume=(--change 'VOLUME /data')
    [ "$flavour" = valkey ] && volume=()
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
      --change 'WORKDIR /data' "${volume[@]}" --change 'EXPOSE 6379' \
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
    rm -rf /var/lib/apt/lists/* /etc/haproxy /var/lib/haproxy
    # The official image creates /var/lib/haproxy empty; Debian's package puts a chroot dev/ there,
    # which a new volume mounted on it would copy (lib/edge-live.ts: the state volume).
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

# The monitoring images are Go binaries on prom's busybox base, or on scratch. Debian builds
# them with cgo, so each needs glibc's loader and libc.so.6; the real ones are static.
# (as_root SRC PATH DEST: a file of the trixie tree SRC, resolved inside it, since its symlinks
# are absolute and would otherwise resolve on this machine.)
as_root() { mkdir -p "$(dirname "$3")" && chroot "$1" /bin/cat "$2" >"$3"; }
# with_libs SRC BINARY DIR: the shared objects `ldd` names for BINARY, at the same paths in DIR.
with_libs() {
  local so
  for so in $(chroot "$1" ldd "$2" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
    [ -f "$3$so" ] || { as_root "$1" "$so" "$3$so" && chmod 0755 "$3$so"; }
  done
}
if built prom/prometheus:v2.53.3 && built prom/alertmanager:v0.28.1 && built oliver006/redis_exporter:v1.69.0 &&
  built oliver006/redis_exporter:v1.69.0-alpine; then
  echo "up to date: prom/prometheus:v2.53.3, prom/alertmanager:v0.28.1, oliver006/redis_exporter:v1.69.0(-alpine)"
else
  variant monitoring "
    apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager \\
      prometheus-redis-exporter busybox-static ca-certificates netbase tzdata >/dev/null
    rm -rf /var/lib/apt/lists/*"
  mon="$cache/monitoring"

  # busybox_root DIR: quay.io/prometheus/busybox-linux-amd64:latest, the base of both prom
  # images (prometheus/busybox Makefile `tag`: latest is the uclibc variant; uclibc/Dockerfile at
  # 79e98586 adds Debian's nsswitch.conf, CA bundle, zoneinfo and services to busybox:uclibc,
  # whose /bin, passwd and group come from docker-library/busybox latest/uclibc/Dockerfile.builder
  # at 164603ca). Its /bin is busybox-uclibc-1.36.1.bin; Debian's build lacks some of those
  # applets, and those it has beyond them get no link.
  busybox_root() {
    local dir=$1 have name
    rm -rf "$dir"
    mkdir -p "$dir/bin" "$dir/usr/bin" "$dir/etc/ssl/certs" "$dir/usr/share" "$dir/root" "$dir/home" \
      "$dir/var/www" "$dir/var/spool/mail"
    install -d -m 1777 "$dir/tmp"
    install -m 0755 "$mon/usr/bin/busybox" "$dir/bin/busybox"
    have=$(chroot "$mon" /usr/bin/busybox --list)
    while IFS= read -r name; do
      if [ "$name" = getconf ]; then
        as_root "$mon" /usr/bin/getconf "$dir/bin/getconf" && chmod 0755 "$dir/bin/getconf"
      elif [ "$name" != busybox ] && grep -qxF -- "$name" <<<"$have"; then
        ln "$dir/bin/busybox" "$dir/bin/$name"
      fi
    done < <(grep -v '^#' "$here/busybox-uclibc-1.36.1.bin")
    with_libs "$mon" /usr/bin/getconf "$dir"
    ln -s ../../bin/env "$dir/usr/bin/env"
    # buildroot system/skeleton/etc/passwd and group: nobody is 65534:65534 in both.
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'daemon:x:1:1:daemon:/usr/sbin:/bin/false' \
      'bin:x:2:2:bin:/bin:/bin/false' 'sys:x:3:3:sys:/dev:/bin/false' 'sync:x:4:100:sync:/bin:/bin/sync' \
      'mail:x:8:8:mail:/var/spool/mail:/bin/false' 'www-data:x:33:33:www-data:/var/www:/bin/false' \
      'operator:x:37:37:Operator:/var:/bin/false' 'nobody:x:65534:65534:nobody:/home:/bin/false' \
      >"$dir/etc/passwd"
    printf '%s\n' root:x:0: daemon:x:1: bin:x:2: sys:x:3: adm:x:4: tty:x:5: disk:x:6: lp:x:7: mail:x:8: \
      kmem:x:9: wheel:x:10:root cdrom:x:11: dialout:x:18: floppy:x:19: video:x:28: audio:x:29: tape:x:32: \
      www-data:x:33: operator:x:37: utmp:x:43: plugdev:x:46: staff:x:50: lock:x:54: netdev:x:82: \
      users:x:100: nobody:x:65534: >"$dir/etc/group"
    as_root "$mon" /usr/share/zoneinfo/UTC "$dir/etc/localtime"
    as_root "$mon" /etc/nsswitch.conf "$dir/etc/nsswitch.conf"
    as_root "$mon" /etc/services "$dir/etc/services"
    as_root "$mon" /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/ca-certificates.crt"
    cp -a "$mon/usr/share/zoneinfo" "$dir/usr/share/zoneinfo"
  }

  # prometheus/prometheus Dockerfile at v2.53.3 (1491d29f): prometheus and promtool in /bin, the
  # example config, console libraries and consoles (Debian ships them as examples: the config
  # and consoles byte for byte, prom.lib with Debian's asset paths), the consoles linked into
  # /etc/prometheus, /etc/prometheus and /prometheus owned by nobody, which runs it.
  doc="$mon/usr/share/doc/prometheus"
  busybox_root "$cache/prometheus-image"
  pr="$cache/prometheus-image"
  install -m 0755 "$mon/usr/bin/prometheus" "$pr/bin/prometheus"
  install -m 0755 "$mon/usr/bin/promtool" "$pr/bin/promtool"
  with_libs "$mon" /usr/bin/prometheus "$pr"
  with_libs "$mon" /usr/bin/promtool "$pr"
  install -D -m 0644 "$doc/examples/prometheus.yml" "$pr/etc/prometheus/prometheus.yml"
  mkdir -p "$pr/usr/share/prometheus"
  cp -r "$doc/examples/console_libraries" "$doc/examples/consoles" "$pr/usr/share/prometheus/"
  install -m 0644 "$mon/usr/share/common-licenses/Apache-2.0" "$pr/LICENSE"
  install -m 0644 "$doc/NOTICE" "$pr/NOTICE"
  ln -s /usr/share/prometheus/console_libraries "$pr/etc/prometheus/console_libraries"
  ln -s /usr/share/prometheus/consoles/ "$pr/etc/prometheus/consoles"
  mkdir -p "$pr/prometheus"
  chown -R 65534:65534 "$pr/etc/prometheus" "$pr/prometheus"
  import "$pr" prom/prometheus:v2.53.3 \
    --change 'USER nobody' --change 'EXPOSE 9090' --change 'VOLUME ["/prometheus"]' \
    --change 'WORKDIR /prometheus' --change 'ENTRYPOINT ["/bin/prometheus"]' \
    --change 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", "--web.console.libraries=/usr/share/prometheus/console_libraries", "--web.console.templates=/usr/share/prometheus/consoles"]'

  # prometheus/alertmanager Dockerfile at v0.28.1 (b2099eaa): amtool and alertmanager in /bin,
  # examples/ha/alertmanager.yml (Debian's copy is byte for byte the same) as the config,
  # /etc/alertmanager and /alertmanager owned by nobody, which runs it.
  busybox_root "$cache/alertmanager-image"
  am="$cache/alertmanager-image"
  install -m 0755 "$mon/usr/bin/amtool" "$am/bin/amtool"
  install -m 0755 "$mon/usr/bin/prometheus-alertmanager" "$am/bin/alertmanager"
  with_libs "$mon" /usr/bin/amtool "$am"
  with_libs "$mon" /usr/bin/prometheus-alertmanager "$am"
  install -D -m 0644 "$mon/usr/share/doc/prometheus-alertmanager/examples/ha/alertmanager.yml" \
    "$am/etc/alertmanager/alertmanager.yml"
  # Upstream embeds its notification templates; Debian's build reads them from here at start.
  mkdir -p "$am/usr/share/prometheus/alertmanager"
  cp "$mon/usr/share/prometheus/alertmanager/"*.tmpl "$am/usr/share/prometheus/alertmanager/"
  mkdir -p "$am/alertmanager"
  chown -R 65534:65534 "$am/etc/alertmanager" "$am/alertmanager"
  import "$am" prom/alertmanager:v0.28.1 \
    --change 'USER nobody' --change 'EXPOSE 9093' --change 'VOLUME ["/alertmanager"]' \
    --change 'WORKDIR /alertmanager' --change 'ENTRYPOINT ["/bin/alertmanager"]' \
    --change 'CMD ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"]'

  # oliver006/redis_exporter Dockerfile at v1.69.0 (71dbe37f), target scratch-release (what
  # .github/workflows/release.yml pushes as the bare tag): /redis_exporter, the builder's
  # /etc/ssl/certs and /etc/nsswitch.conf, USER 59000:59000, EXPOSE 9121. No shell, no passwd.
  re="$cache/redis-exporter-image"
  rm -rf "$re"
  mkdir -p "$re/etc/ssl/certs"
  install -m 0755 "$mon/usr/bin/prometheus-redis-exporter" "$re/redis_exporter"
  with_libs "$mon" /usr/bin/prometheus-redis-exporter "$re"
  as_root "$mon" /etc/ssl/certs/ca-certificates.crt "$re/etc/ssl/certs/ca-certificates.crt"
  echo 'hosts: files dns' >"$re/etc/nsswitch.conf"
  import "$re" oliver006/redis_exporter:v1.69.0 \
    --change 'USER 59000:59000' --change 'EXPOSE 9121' --change 'ENTRYPOINT ["/redis_exporter"]'

  # The same Dockerfile's target alpine, pushed as <tag>-alpine (the one the stack runs, since
  # its healthcheck needs wget): FROM alpine:3.21, /redis_exporter and the builder's
  # /etc/ssl/certs, USER 59000:59000, EXPOSE 9121, no nsswitch.conf. Alpine's busybox gives the
  # applets linked below, each also in redis:7.4-alpine's manifest (the same Alpine base);
  # the stand-in links no other.
  ra="$cache/redis-exporter-alpine-image"
  rm -rf "$ra"
  cp -a "$re" "$ra"
  rm -f "$ra/etc/nsswitch.conf"
  mkdir -p "$ra/bin" "$ra/tmp"
  chmod 1777 "$ra/tmp"
  install -m 0755 "$mon/usr/bin/busybox" "$ra/bin/busybox"
  for applet in sh ash wget nc cat ls ps sleep env echo grep head tail id kill; do
    ln "$ra/bin/busybox" "$ra/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n' >"$ra/etc/passwd"
  import "$ra" oliver006/redis_exporter:v1.69.0-alpine \
    --change 'USER 59000:59000' --change 'EXPOSE 9121' --change 'ENTRYPOINT ["/redis_exporter"]'
fi

# The ACME issuer. go-acme/lego v4.9.1 (df79f130) is published by `make publish-images`, i.e.
# ldez/seihon v0.8.3 with tmpl.Dockerfile and seihon's default base-runtime-image alpine:3.13:
# FROM alpine:3.13, the builder's /usr/share/zoneinfo and /etc/ssl/certs/ca-certificates.crt,
# COPY dist/lego /usr/bin/lego (CGO_ENABLED=0, static), ENTRYPOINT ["/usr/bin/lego"], no USER
# (root), no CMD, WORKDIR or STOPSIGNAL. Alpine 3.13's busybox gives the applets linked below,
# a subset of its set; the stand-in links no other. Debian's lego is 4.9.1 too, dynamically
# linked, so glibc's loader and libc come along (manifests.json standInGaps).
# Pebble (Let's Encrypt's ACME test server) for layer 5 is a test image, not a stand-in: Debian's
# pebble 2.6.0 (trixie) with pebble-challtestsrv and the same busybox, which the test uses to
# write Pebble's config before it starts it.
if built goacme/lego:v4.9.1 && built api-stack-test/pebble:2.6.0; then
  echo "up to date: goacme/lego:v4.9.1, api-stack-test/pebble:2.6.0"
else
  variant acme "
    apt-get install -y -qq --no-install-recommends lego pebble busybox-static ca-certificates tzdata >/dev/null
    rm -rf /var/lib/apt/lists/*"
  src="$cache/acme"
  # alpine_root DIR: busybox with the listed applets, Alpine's users, CA bundle and zoneinfo.
  alpine_root() {
    local dir=$1 applet
    rm -rf "$dir"
    mkdir -p "$dir/bin" "$dir/usr/bin" "$dir/etc/ssl/certs" "$dir/usr/share" "$dir/root" "$dir/var/lib"
    install -d -m 1777 "$dir/tmp"
    install -m 0755 "$src/usr/bin/busybox" "$dir/bin/busybox"
    for applet in sh ash cat cp mv rm ln mkdir chmod ls sleep date cmp kill echo printf test [ \
      grep sed head tail tee tr wc env id ps wget nc; do
      ln "$dir/bin/busybox" "$dir/bin/$applet"
    done
    # alpine-baselayout's passwd and group: nobody is 65534; nothing has uid 99.
    printf '%s\n' 'root:x:0:0:root:/root:/bin/ash' 'bin:x:1:1:bin:/bin:/sbin/nologin' \
      'daemon:x:2:2:daemon:/sbin:/sbin/nologin' 'nobody:x:65534:65534:nobody:/:/sbin/nologin' >"$dir/etc/passwd"
    printf '%s\n' root:x:0:root bin:x:1:root,bin,daemon daemon:x:2:root,bin,daemon nogroup:x:65533: \
      nobody:x:65534: >"$dir/etc/group"
    as_root "$src" /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/ca-certificates.crt"
    cp -a "$src/usr/share/zoneinfo" "$dir/usr/share/zoneinfo"
  }
  lg="$cache/lego-image"
  alpine_root "$lg"
  install -m 0755 "$src/usr/bin/lego" "$lg/usr/bin/lego"
  with_libs "$src" /usr/bin/lego "$lg"
  import "$lg" goacme/lego:v4.9.1 --change 'ENTRYPOINT ["/usr/bin/lego"]'

  pb="$cache/pebble-image"
  alpine_root "$pb"
  install -m 0755 "$src/usr/bin/pebble" "$pb/usr/bin/pebble"
  install -m 0755 "$src/usr/bin/pebble-challtestsrv" "$pb/usr/bin/pebble-challtestsrv"
  with_libs "$src" /usr/bin/pebble "$pb"
  with_libs "$src" /usr/bin/pebble-challtestsrv "$pb"
  mkdir -p "$pb/etc/pebble"
  chown 65534:65534 "$pb/etc/pebble"
  import "$pb" api-stack-test/pebble:2.6.0 --change 'USER nobody' \
    --change 'ENTRYPOINT ["/usr/bin/pebble"]' --change 'CMD ["-config", "/etc/pebble/pebble-config.json"]'
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
