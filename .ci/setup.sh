# Sourced by .ci/run and .ci/chaos: everything the tests need on a machine that may be new.
# Node >= 22, the Debian packages, `npm ci`, the private Docker engine (stopped when the sourcing
# script exits) and the stand-in images.
# Node >= 22 (Node 24 from the npm registry when the machine's is older).
source .ci/node.sh

# Debian packages for the real-binary tests (test/real: the generated redis.conf, probes
# and TLS settings) and the Docker-engine tests (test/docker: a private Docker Engine 26 from
# Debian trixie, which engine.sh unpacks itself and runs with this release's runc, tini and
# iptables; stand-in images debootstrapped from Debian). Under CI=true a missing one fails.
declare -A PKG=([redis-server]=redis-server [redis-cli]=redis-tools [curl]=curl [openssl]=openssl [haproxy]=haproxy
  [lego]=lego [pebble]=pebble [runc]=runc [tini-static]=tini [debootstrap]=debootstrap [iptables]=iptables [busybox]=busybox)
missing=()
for bin in "${!PKG[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("${PKG[$bin]}")
done
# engine.sh and debootstrap verify Debian trixie's packages with Debian's archive key, which an
# Ubuntu runner (the GitHub workflows) does not have by default.
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "::group::apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  echo "::endgroup::"
fi

# promtool, amtool and redis_exporter at the pinned images' versions, from Debian trixie's .debs
# (test/real/prom-tools.sh): Debian 12's amtool 0.25 refuses the `url_file` the pinned 0.28.1 reads.
echo "::group::promtool, amtool and redis_exporter (trixie)"
bash test/real/prom-tools.sh
echo "::endgroup::"

echo "::group::npm ci"
npm ci --no-audit --no-fund
echo "::endgroup::"

# Layer 5: our own dockerd (Docker Engine >= 25: own binaries, socket, data root, address
# pool), stopped on exit, and the stand-in images the stack files name, built once per
# machine (kept in its data root).
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -E"
trap '$SUDO test/docker/engine.sh stop' EXIT
echo "::group::private Docker engine and stand-in images"
export "$($SUDO test/docker/engine.sh start)"
$SUDO env "PATH=$PATH" DOCKER_HOST="$DOCKER_HOST" bash test/docker/images/build.sh
echo "::endgroup::"

