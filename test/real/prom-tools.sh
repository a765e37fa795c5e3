#!/usr/bin/env bash
# promtool and amtool at the versions of the pinned images (components/monitoring.ts:
# prom/prometheus:v2.53.3, prom/alertmanager:v0.28.1), for the real-binary layer's checks of the
# rendered prometheus.yml, rules and alertmanager.yml. Debian 12's are 2.42 and 0.25, and 0.25
# refuses `url_file`, which the pinned 0.28.1 accepts; so these are Debian 13 (trixie)'s
# `promtool` 2.53.3 and `prometheus-alertmanager` 0.28.1, unpacked from their .debs into
# $dir/bin (no change to this machine's apt sources or packages), as engine.sh does for Docker.
# Also trixie's prometheus-redis-exporter 1.69.0 (oliver006/redis_exporter:v1.69.0-alpine), to
# scrape a real redis-server as the least-privilege ACL user. All are Go binaries that need only
# libc (>= 2.34).
#   test/real/prom-tools.sh        # fetches once; prints the bin directory
set -euo pipefail
dir=${API_STACK_PROMTOOLS:-/var/tmp/api-stack-promtools}
release=trixie
packages=(promtool prometheus-alertmanager prometheus-redis-exporter)
if [ -x "$dir/bin/promtool" ] && [ -x "$dir/bin/amtool" ] && [ -x "$dir/bin/redis_exporter" ]; then
  echo "$dir/bin"
  exit 0
fi
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || {
  echo "debian-archive-keyring not found: apt-get install -y debian-archive-keyring" >&2
  exit 1
}
apt="$dir/apt"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $release main" >"$apt/sources.list"
opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User="$(id -un)")
echo "fetching $release's ${packages[*]} into $dir" >&2
apt-get "${opts[@]}" -qq update >&2
(cd "$apt/debs" && apt-get "${opts[@]}" -qq download "${packages[@]}" >&2)
rm -rf "$dir/root" "$dir/bin.new"
mkdir -p "$dir/root" "$dir/bin.new"
for deb in "$apt/debs"/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
cp "$dir/root/usr/bin/promtool" "$dir/root/usr/bin/amtool" "$dir/bin.new/"
cp "$dir/root/usr/bin/prometheus-redis-exporter" "$dir/bin.new/redis_exporter"
rm -rf "$dir/root" "$apt/debs" "$dir/bin"
mv "$dir/bin.new" "$dir/bin"
echo "$dir/bin"
