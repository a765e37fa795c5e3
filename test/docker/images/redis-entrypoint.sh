#!/bin/sh
# Stand-in for the official redis and valkey images' docker-entrypoint.sh, written by us from
# their documented behaviour (docker-library/redis docker-entrypoint.sh; valkey-io/valkey-
# container the same), so our stack meets on the test engine what it meets in production:
# - a first argument that is an option or ends in .conf gets the server prepended;
# - started as root with the server as command, it chowns whatever under the working
#   directory (/data) is not owned by the server's user, with `find` under `set -e`, then
#   re-runs itself as that user through gosu;
# - as any other user it sets umask 0077 (when the umask is the default 0022) and execs.
set -e
: "${SERVER:=redis-server}"
: "${SERVER_USER:=redis}"

if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- "$SERVER" "$@"
fi

if [ "$1" = "$SERVER" ] && [ "$(id -u)" = '0' ]; then
	find . \! -user "$SERVER_USER" -exec chown "$SERVER_USER" '{}' +
	exec gosu "$SERVER_USER" "$0" "$@"
fi

um="$(umask)"
if [ "$um" = '0022' ]; then
	umask 0077
fi

exec "$@"
