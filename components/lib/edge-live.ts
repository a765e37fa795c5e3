/**
 * How the edge proxy takes a new config, certificate or maintenance switch without a restart.
 *
 * The files HAProxy serves live on a named volume (EDGE_STATE.dir), not in the container's
 * image layer, so changing them does not change the container: the provider's `upload` is
 * ForceNew, and uploading them would replace the proxy (kreuzwerker/terraform-provider-docker
 * v4.5.0, resource_docker_container.go, "upload": ForceNew: true). The proxy's first process is
 * this script (`run`): it starts HAProxy in master-worker mode and, when a file in the live
 * directory changes, checks the new set with `haproxy -c` and reloads the master with SIGUSR2.
 *
 * HAProxy 3.0's manual (haproxy/haproxy v3.0.0, doc/management.txt; 3.0.x changes only fixes):
 * - section 3, "-W": master-worker mode, where "you can reload HAProxy directly by sending a
 *   SIGUSR2 signal to the master";
 * - section 4, "Stopping and restarting HAProxy": on SIGUSR2 the master re-executes itself
 *   "with the -sf parameter followed by the PIDs of the workers": the old workers stop
 *   gracefully, finishing their connections, while the new ones serve;
 * - section 3, "-x <unix_socket>": "In master-worker mode ... the master will use
 *   automatically this option upon a reload with the "sockpair@" syntax": the new workers
 *   take over the old ones' listening sockets instead of binding again, so the two windows
 *   section 4 describes (a port briefly unbound, a backlog dropped on close) do not open;
 * - section 4: SIGUSR1 is the graceful stop, which Docker sends as the image's STOPSIGNAL;
 *   the script passes it on to the master.
 * configuration.txt 2.3, "Environment variables": "${EDGE_LIVE}" in double quotes is expanded,
 * which lets the installer check a new set where it was uploaded before it installs it.
 *
 * The installer (`install`) is a small container of the same image that each `pulumi up`
 * replaces when the rendered files change: it checks them, copies each into the live
 * directory with an atomic rename, and waits until the running proxy has loaded them, so a set
 * HAProxy refuses fails the `up` instead of being ignored.
 */

import { EDGE_CFG_FILES } from "./haproxy-cfg";
import type { HealthTiming } from "./healthcheck";

/** Where the state volume is mounted, in every container that uses it. */
export const EDGE_STATE = {
  /**
   * The official image creates /var/lib/haproxy owned by haproxy (uid 99), so a new volume
   * mounted there is owned by uid 99 too: at container create Docker copies the mount point
   * into an empty volume, the directory's owner included, even when it is empty (moby v26.1.0
   * daemon/create_unix.go populateVolume → container/container_unix.go copyExistingContents →
   * continuity fs.CopyDir, copyFileInfo chowns the root). A volume that is not empty is left
   * as it is.
   */
  dir: "/var/lib/haproxy",
  /** The files HAProxy reads. */
  live: "/var/lib/haproxy/live",
  /** The digest of the live files the running HAProxy last loaded, or a refusal. */
  loaded: "/var/lib/haproxy/loaded",
  /** The digest of the set the installer last installed and the proxy loaded. */
  installed: "/var/lib/haproxy/installed",
  /** A copy of the last set HAProxy ran, put back when a new set is refused. */
  good: "/var/lib/haproxy/last-good",
} as const;

/**
 * The files in the live directory, by role: haproxy.cfg, and those it reads (the maintenance
 * flag holds the ACL's one pattern, "on", or nothing).
 */
export const EDGE_FILES = { cfg: "haproxy.cfg", ...EDGE_CFG_FILES } as const;

/** Where the installer's uploads land, in its own container, before they are installed. */
export const EDGE_UPLOAD_DIR = "/usr/local/etc/haproxy/next";

/** The script, in both containers. */
export const EDGE_SCRIPT_PATH = "/usr/local/bin/edge-live";

/** The environment variable haproxy.cfg names its files by. */
export const EDGE_LIVE_ENV = "EDGE_LIVE";

/** How often the proxy looks for changed files, and how long an `up` waits for the reload. */
export const EDGE_RELOAD = { pollSeconds: 1, installWaitSeconds: 30 } as const;

/** Where the installer marks itself done, for its healthcheck. */
export const EDGE_INSTALLED_MARK = "/tmp/edge-installed";

/** A path under EDGE_STATE.dir, relative to it. */
const rel = (path: string): string => path.slice(EDGE_STATE.dir.length + 1);

/**
 * The script both containers run, as `edge-live run` (the proxy) or `edge-live install`
 * (the installer), and `edge-live wait` (a script's check that a change was loaded). It uses
 * only what the official image has: bash and coreutils (test/docker/images/manifests.json,
 * haproxy:3.0.11 "binaries").
 */
export function renderEdgeLiveScript(): string {
  return `#!/bin/bash
# api-stack edge: serve ${EDGE_STATE.live}, reload HAProxy when it changes
# (components/lib/edge-live.ts). EDGE_STATE_DIR and EDGE_INSTALLED_MARK move it for tests.
set -u
state=\${EDGE_STATE_DIR:-${EDGE_STATE.dir}}
live=$state/${rel(EDGE_STATE.live)}
loaded=$state/${rel(EDGE_STATE.loaded)}
installed=$state/${rel(EDGE_STATE.installed)}
good=$state/${rel(EDGE_STATE.good)}
mark=\${EDGE_INSTALLED_MARK:-${EDGE_INSTALLED_MARK}}
poll=\${EDGE_POLL_SECONDS:-${EDGE_RELOAD.pollSeconds}}

# One digest for the whole set: a file's name and content. Names starting with "." are a
# writer's temporary files and are left out.
digest() { (cd "$1" 2>/dev/null && sha256sum -- [!.]* 2>/dev/null) | sha256sum | cut -c1-64; }
log() { printf 'edge-live: %s\\n' "$*" >&2; }
check() { ${EDGE_LIVE_ENV}="$1" haproxy -c -f "$1/${EDGE_FILES.cfg}" 2>&1; }
# The PIDs whose parent is HAProxy's master (its workers), read from /proc: the image has no
# ps. The kernel lists a task's children (CONFIG_PROC_CHILDREN, on wherever checkpoint/restore
# is); without it, every process's stat says its parent.
children() {
  local f st
  if [ -r "/proc/$master/task/$master/children" ]; then
    tr ' ' '\\n' <"/proc/$master/task/$master/children"
    return
  fi
  for f in /proc/[0-9]*/stat; do
    { read -r st <"$f"; } 2>/dev/null || continue
    st=\${st##*) }
    set -- $st
    [ "$2" = "$master" ] && { f=\${f#/proc/}; printf '%s\\n' "\${f%/stat}"; }
  done
}

# The last set HAProxy ran, kept so a refused set is never left in place for a restart to
# crash on: put back into live/ whenever a new set is refused.
save_good() {
  rm -rf "$good.tmp" && mkdir "$good.tmp" && cp -p "$live"/[!.]* "$good.tmp"/ &&
    rm -rf "$good" && mv "$good.tmp" "$good"
}
restore_good() {
  local f
  [ -d "$good" ] || return 1
  for f in "$good"/*; do
    cp -p "$f" "$live/.\${f##*/}.tmp" && mv -f "$live/.\${f##*/}.tmp" "$live/\${f##*/}" || return 1
  done
}
# "loaded" holds the outcome of the last change the loop acted on ("<digest>", or "refused
# <digest>") and, on its second line, how many it has acted on, so a waiter can tell a fresh
# refusal of its files from an old refusal of the same files.
acted=0
mark_loaded() {
  acted=$((acted + 1))
  printf '%s\\n%s\\n' "$1" "$acted" >"$loaded.tmp" && mv -f "$loaded.tmp" "$loaded"
}
# HAProxy's master gets the signal Docker (or anyone) sent us: SIGUSR1 is the soft stop.
forward() { stopping=1; [ -z "\${master:-}" ] || kill -"$1" "$master" 2>/dev/null; }

run() {
  # Traps first, so a stop that comes while HAProxy starts is not lost.
  stopping=
  master=
  for s in USR1 TERM INT QUIT; do trap "forward $s" "$s"; done
  # The installer has run before the proxy was created; without it there is nothing to serve.
  [ -s "$live/${EDGE_FILES.cfg}" ] || { log "no $live/${EDGE_FILES.cfg}: the installer has not run"; exit 1; }
  export ${EDGE_LIVE_ENV}="$live"
  if ! out=$(check "$live"); then
    log "haproxy -c refuses the files in $live: $(printf '%s' "$out" | tr '\\n' ' ')"
    restore_good && log "started from the last set that ran instead" || exit 1
  fi
  current=$(digest "$live")
  haproxy -W -db -f "$live/${EDGE_FILES.cfg}" &
  master=$!
  [ -z "$stopping" ] || kill -USR1 "$master"
  mark_loaded "$current"
  save_good
  while [ -z "$stopping" ] && kill -0 "$master" 2>/dev/null; do
    sleep "$poll" & wait $!
    [ -z "$stopping" ] || break
    now=$(digest "$live")
    [ "$now" != "$current" ] || continue
    # A writer renames one file at a time: act once the set has stopped changing.
    sleep 0.3
    [ "$(digest "$live")" = "$now" ] || continue
    started=
    if out=$(check "$live"); then
      before=" $(children | tr '\\n' ' ') "
      kill -USR2 "$master"
      # Loaded once the master has forked a new worker: it has told the old ones to stop
      # accepting just before the fork (haproxy 3.0.0 src/haproxy.c, tell_old_pids), and the
      # listening sockets it kept queue what arrives meanwhile for the new one. A reload that
      # fails in the master forks none: the master keeps the old workers (reexec_on_failure).
      for _ in $(seq 1 100); do
        for pid in $(children); do
          case "$before" in *" $pid "*) ;; *) started=$pid ;; esac
        done
        [ -z "$started" ] || break
        sleep 0.1
      done
      why="HAProxy's master started no new worker within 10 s of the reload; its log above says why"
    else
      why="haproxy -c refused the new one: $(printf '%s' "$out" | tr '\\n' ' ')"
    fi
    if [ -n "$started" ]; then
      # The old workers handle their stop signal in their own loop: give them that moment.
      sleep 0.3
      current=$now
      mark_loaded "$now"
      save_good
      log "reloaded ($now), new worker $started"
    else
      restore_good
      current=$(digest "$live")
      mark_loaded "refused $now"
      log "kept the running config, and put its files back in $live: $why"
    fi
  done
  # The master exits once its workers have finished (or hard-stop-after); wait for it. A
  # stopped proxy leaves no "loaded": an installer that runs meanwhile has no reload to wait for.
  rm -f "$loaded"
  status=0
  while :; do
    wait "$master"
    status=$?
    kill -0 "$master" 2>/dev/null || break
  done
  exit "$status"
}

# Wait until the running proxy has loaded what is in the live directory now.
wait_loaded() {
  local want outcome count since=\${2:-}
  want=$(digest "$live")
  for _ in $(seq 1 "\${1:-${EDGE_RELOAD.installWaitSeconds}}"); do
    outcome= count=
    { read -r outcome && read -r count; } <"$loaded" 2>/dev/null
    [ "$outcome" != "$want" ] || return 0
    # A refusal counts only if the loop acted on these files after the waiter wrote them.
    if [ "$outcome" = "refused $want" ] && { [ -z "$since" ] || [ "$count" != "$since" ]; }; then
      log "the proxy refused the new files; its log says why"
      return 1
    fi
    sleep 1
  done
  log "the proxy did not load the new files in \${1:-${EDGE_RELOAD.installWaitSeconds}} s: is it running?"
  return 1
}

install() {
  src=\${${EDGE_LIVE_ENV}:?}
  want=$(digest "$src")
  mkdir -p "$live" || exit 1
  # A restart of this container (the host rebooted) must not undo what a script has changed
  # since (maintenance on, a renewed certificate): install only a set not installed before.
  if [ "$(cat "$installed" 2>/dev/null)" != "$want" ]; then
    since=$(sed -n 2p "$loaded" 2>/dev/null)
    if ! out=$(check "$src"); then
      log "haproxy -c refused the new config; nothing was installed: $out"
      exit 1
    fi
    for f in ${EDGE_FILES.pem} ${EDGE_FILES.maintenance} ${EDGE_FILES.maintenancePage} ${EDGE_FILES.cfg}; do
      [ -e "$src/$f" ] || continue
      if [ "$f" = ${EDGE_FILES.pem} ] && [ -n "\${EDGE_KEEP_PEM_IF:-}" ] && [ -e "$EDGE_KEEP_PEM_IF" ]; then
        continue
      fi
      cp "$src/$f" "$live/.$f.tmp" && chmod 0600 "$live/.$f.tmp" && mv -f "$live/.$f.tmp" "$live/$f" || exit 1
    done
    # The first install comes before the proxy exists; later ones wait for its reload. Only a
    # set the proxy took counts as installed: after a refusal, a restart of this container
    # tries again (and fails again) instead of turning healthy on the set it skipped.
    if [ -e "$loaded" ]; then wait_loaded "" "$since" || exit 1; fi
    printf '%s\\n' "$want" >"$installed.tmp" && mv -f "$installed.tmp" "$installed"
    log "installed ($want)"
  fi
  : >"$mark"
  # Nothing left to do but stay healthy; as PID 1 it would ignore Docker's SIGTERM, so it
  # exits on it instead of waiting out the grace period for SIGKILL.
  trap 'exit 0' TERM INT
  sleep infinity &
  wait
}

case "\${1:-}" in
  run) run ;;
  install) install ;;
  wait) wait_loaded "\${2:-${EDGE_RELOAD.installWaitSeconds}}" "\${3:-}" ;;
  digest) digest "\${2:-$live}" ;;
  *) echo "usage: edge-live run|install|wait [seconds [acted-before]]|digest [dir] (state in $state)" >&2; exit 2 ;;
esac
`;
}

/** The characters a maintenance message may hold; it is HTML-escaped into the page. */
export const MAINTENANCE_MESSAGE_MAX = 500;

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** The small page maintenance mode serves: the message, escaped; nothing else is loaded. */
export function renderMaintenancePage(message: string): string {
  const text = message.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><title>Down for maintenance</title>',
    '<meta name="viewport" content="width=device-width, initial-scale=1"></head>',
    `<body><h1>Down for maintenance</h1><p>${text}</p></body></html>`,
    "",
  ].join("\n");
}

/** The maintenance ACL's pattern file: "on" switches it on, an empty file off. */
export function maintenanceFlag(on: boolean): string {
  return on ? "on\n" : "";
}

/**
 * The installer's probe (`test -e` of EDGE_INSTALLED_MARK): its start period covers the wait
 * for the proxy's reload; three retries, as the pack's healthcheck-timing asks of every probe.
 */
export const EDGE_INSTALLER_TIMING: HealthTiming = {
  intervalMs: 5_000,
  timeoutMs: 3_000,
  retries: 3,
  startPeriodMs: (EDGE_RELOAD.installWaitSeconds + 10) * 1_000,
};

/**
 * What the installer is given: the script, and the files it installs, in EDGE_UPLOAD_DIR.
 * `pem` is whatever the caller holds the certificate and key in (a Pulumi secret).
 */
export function edgeInstallerUploads<T>(
  cfg: string,
  pem: T,
  maintenance: { readonly enabled: boolean; readonly message: string },
): { file: string; content: string | T; permissions: string }[] {
  const upload = (file: string, content: string | T) => ({
    file: `${EDGE_UPLOAD_DIR}/${file}`,
    content,
    permissions: "0444",
  });
  return [
    { file: EDGE_SCRIPT_PATH, content: renderEdgeLiveScript(), permissions: "0555" },
    upload(EDGE_FILES.cfg, cfg),
    upload(EDGE_FILES.pem, pem),
    upload(EDGE_FILES.maintenance, maintenanceFlag(maintenance.enabled)),
    upload(EDGE_FILES.maintenancePage, renderMaintenancePage(maintenance.message)),
  ];
}
