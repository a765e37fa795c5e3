#!/bin/sh
# Stand-in for the official redis and valkey images' docker-entrypoint.sh, written by us from the
# scripts at the commits test/docker/images/manifests.json records, so our stack meets on the test
# engine what it meets in production. Two generations, chosen per tag by DROP:
# - DROP=gosu (redis:7.4.2-alpine, docker-library/redis 8338d86b): started as root with the server
#   as command, it chowns whatever under /data is not the server's user's, with `find` under
#   `set -e`, then re-runs itself as that user through gosu.
# - DROP=setpriv (redis:7.4-alpine since 7.4.9, valkey/valkey:8.1-alpine): started as root, it
#   steps down only when the bounding set still holds setuid and setgid; then it fixes the
#   permissions of /data only if /data holds nothing but *.rdb files and appendonlydir (failures
#   only warn), and re-execs itself through setpriv. Without those capabilities it runs the
#   server as root.
# Either way: a first argument that is an option or ends in .conf gets the server prepended; as
# any other user it sets umask 0077 (when the umask is the default 0022) and execs.
set -e
: "${SERVER:=redis-server}"
: "${SERVER_USER:=redis}"
: "${DROP:=gosu}"

if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- "$SERVER" "$@"
fi

if [ "$1" = "$SERVER" ] && [ "$(id -u)" = '0' ]; then
	if [ "$DROP" = gosu ]; then
		find . \! -user "$SERVER_USER" -exec chown "$SERVER_USER" '{}' +
		exec gosu "$SERVER_USER" "$0" "$@"
	fi
	bounding=$(setpriv -d | sed -n 's/^Capability bounding set: //p')
	case ",$bounding," in
	*,setuid,*) case ",$bounding," in *,setgid,*) can_drop=1 ;; esac ;;
	esac
	if [ -n "${can_drop:-}" ]; then
		only_data=1
		for entry in * .[!.]*; do
			[ -e "$entry" ] || continue
			case "$entry" in
			*.rdb) ;;
			appendonlydir) [ -d "$entry" ] || only_data= ;;
			*) only_data= ;;
			esac
		done
		if [ -n "$only_data" ]; then
			for entry in * .[!.]*; do
				[ -e "$entry" ] || continue
				chown "$SERVER_USER" "$entry" 2>/dev/null || echo "Warning: cannot chown $entry" >&2
				chmod u+rw "$entry" 2>/dev/null || true
			done
		else
			echo "Notice: Unknown file in /data. Permissions will not be modified" >&2
		fi
		exec setpriv --reuid "$SERVER_USER" --regid "$SERVER_USER" --clear-groups --nnp --ambient-caps=-all \
			--inh-caps=-all --bounding-set=-all "$0" "$@"
	fi
fi

um="$(umask)"
if [ "$um" = '0022' ]; then
	umask 0077
fi

exec "$@"
