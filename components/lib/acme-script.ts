/**
 * The ACME issuer's script: lego (go-acme/lego v4.9.1) obtains and renews the edge's
 * certificate over HTTP-01 and installs it where the edge proxy reads it. Rendered as plain
 * text and uploaded into the issuer container (never on a command line). POSIX sh only: it runs
 * in goacme/lego:v4.9.1, which is alpine:3.13 plus /usr/bin/lego (go-acme/lego v4.9.1
 * tmpl.Dockerfile, built by ldez/seihon v0.8.3 with its default base `alpine:3.13`), so its
 * shell and tools are busybox's. Pure: no Pulumi imports.
 *
 * What it relies on in lego v4.9.1 (cmd/):
 * - `run` registers the account when `<path>/accounts/<server host>/<email>/account.json` is
 *   missing, then obtains (cmd_run.go, run); `renew` obtains again only when the certificate
 *   ends within `--days` (cmd_renew.go, needRenewal: whole days left > days means no renewal)
 *   and exits 0 either way; any failure is `log.Fatal`, exit 1.
 * - The files are `<path>/certificates/<first domain>.crt` (the chain: leaf then issuer, since
 *   `--no-bundle` is not given) and `.key`, mode 0600 (certs_storage.go, SaveResource and
 *   WriteFile; filePerm in setup.go), named after the first domain with `*` as `_`
 *   (sanitizedDomain).
 * - `--http --http.port :P` runs lego's own HTTP server on P only while a challenge is pending
 *   (challenge/http01/http_challenge_server.go, Present/CleanUp), and it answers only a GET
 *   whose Host header starts with the domain (hostMatcher), which HAProxy passes through.
 * - `renew` sleeps a random 0–8 min first when stdout is not a terminal, unless
 *   `--no-random-sleep` (cmd_renew.go, renewForDomains). That jitter is for cron jobs that all
 *   fire at the same minute; this loop's phase is the container's start, so it is not needed.
 * - A private CA's root for the directory's TLS comes from the files in LEGO_CA_CERTIFICATES
 *   (lego/client_config.go, caCertificatesEnvVar), set by the component, not here.
 */

/** Where things live inside the issuer container. */
export const ACME_PATHS = {
  /** The edge state volume, shared with the proxy (owned by uid 99, the haproxy user). */
  state: "/var/lib/haproxy",
  script: "/usr/local/bin/api-stack-acme",
  /** A private CA's root certificate, when `caCertificate` is given. */
  caBundle: "/usr/local/etc/api-stack/acme-ca.pem",
  /** The last attempt's outcome, read by the healthcheck: container-local, so a restart starts over. */
  status: "/tmp/api-stack-acme.status",
} as const;

/** lego's `--path`, the account and certificates, under the state volume. */
export const acmeDir = (state: string): string => `${state}/acme`;
/** The directory the proxy serves from (the edge supervisor reloads on any change there). */
export const liveDir = (state: string): string => `${state}/live`;

/** lego's file name for a domain (cmd/certs_storage.go, sanitizedDomain: `*` becomes `_`). */
export function legoFileName(domain: string): string {
  return domain.replaceAll("*", "_");
}

/**
 * The certificate lego writes for `domains`: the config writer installs its self-signed
 * fallback only while this file does not exist.
 */
export function acmeCertificateFile(state: string, domains: readonly string[]): string {
  return `${acmeDir(state)}/certificates/${legoFileName(domains[0] ?? "")}.crt`;
}

export interface AcmeScriptSpec {
  /** The ACME directory URL. */
  readonly directoryUrl: string;
  /** The account's contact address (lego v4.9.1 requires one: cmd/setup.go, getEmail). */
  readonly email: string;
  /** DNS names on the certificate; the first names its files. */
  readonly domains: readonly string[];
  /** The port lego's challenge server listens on inside the container. */
  readonly challengePort: number;
  /** Renew when the certificate ends within this many days. */
  readonly renewDays: number;
  /** Seconds between renewal checks. */
  readonly renewEverySeconds: number;
  /** Seconds before a failed attempt is tried again. */
  readonly retryEverySeconds: number;
  /** Seconds between checks that live/edge.pem is still the certificate. @default 60 */
  readonly guardEverySeconds?: number;
  /** @default ACME_PATHS.state */
  readonly stateDir?: string;
  /** @default ACME_PATHS.status */
  readonly statusFile?: string;
  /** The lego binary. @default "lego" */
  readonly lego?: string;
}

const PATH = /^\/[A-Za-z0-9_./-]+$/;
const DOMAIN = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$/;
const URL_SAFE = /^https?:\/\/[A-Za-z0-9._~:/?#@!$&()*+,;=%-]+$/;

/** Why `s` cannot be rendered, or undefined. Every value lands in the script unquoted-safe. */
export function acmeScriptProblem(s: AcmeScriptSpec): string | undefined {
  if (!URL_SAFE.test(s.directoryUrl) || s.directoryUrl.includes("'"))
    return `directoryUrl "${s.directoryUrl}" must be an http(s) URL`;
  if (!EMAIL.test(s.email)) return `email "${s.email}" is not an address`;
  if (s.domains.length === 0) return "domains must name at least one DNS name";
  for (const d of s.domains) if (!DOMAIN.test(d)) return `domain "${d}" is not a DNS name`;
  const ints: [string, number, number][] = [
    ["challengePort", s.challengePort, 1],
    ["renewDays", s.renewDays, 1],
    ["renewEverySeconds", s.renewEverySeconds, 1],
    ["retryEverySeconds", s.retryEverySeconds, 1],
    ["guardEverySeconds", s.guardEverySeconds ?? 60, 1],
  ];
  for (const [k, v, min] of ints)
    if (!Number.isInteger(v) || v < min) return `${k} (${v}) must be a whole number ≥ ${min}`;
  if (s.challengePort > 65_535) return `challengePort (${s.challengePort}) must be ≤ 65535`;
  for (const p of [s.stateDir, s.statusFile, s.lego])
    if (p !== undefined && !PATH.test(p) && p !== "lego") return `path "${p}" must match ${PATH}`;
  return undefined;
}

/**
 * The ACME error types (RFC 8555 section 6.7) an HTTP-01 failure comes back as, each with what
 * to do. Pebble answers a failed connection (DNS included: its dialer resolves) with
 * `connection` and a non-200 answer with `unauthorized` (letsencrypt/pebble v2.6.0 va/va.go,
 * fetchHTTP); Let's Encrypt also uses `dns` (Boulder, "ACME error types").
 */
export const ACME_HINTS: readonly { readonly type: string; readonly hint: string }[] = [
  {
    type: "connection",
    hint: "the CA could not connect to http://DOMAIN/.well-known/acme-challenge/: point the DNS name at this host and open port 80 to it (HTTP-01 is always port 80, RFC 8555 section 8.3)",
  },
  {
    type: "dns",
    hint: "the CA could not resolve DOMAIN: create its A/AAAA record pointing at this host",
  },
  {
    type: "unauthorized",
    hint: "the CA reached DOMAIN but did not get the challenge answer: check that the name points at this host and not at another server, and that nothing in front of it redirects or answers /.well-known/acme-challenge/",
  },
  {
    type: "rateLimited",
    hint: "the rate limit of the CA was hit: wait an hour, or test against its staging directory",
  },
  {
    type: "rejectedIdentifier",
    hint: "the CA will not issue for this name (a reserved or internal name?): list public DNS names in edge.dnsNames",
  },
];

/** Single-quoted for sh; every value was checked to hold no quote. */
const q = (s: string): string => {
  if (s.includes("'")) throw new Error(`acme issuer: ${s} holds a quote`);
  return `'${s}'`;
};

/**
 * The issuer container's one script, with subcommands:
 * - `loop` (the container's command): installs the certificate already on the volume, or
 *   obtains one (`lego run`, retried every `retryEverySeconds` until it succeeds); then every
 *   `renewEverySeconds` runs `lego renew --days renewDays` and installs what changed;
 * - `health`: prints the last outcome; fails after a failed attempt, until one succeeds.
 *
 * The request (directory, domains) is recorded beside the certificate; a certificate obtained
 * for another request is obtained again with `run`, so moving from a staging directory to
 * production, or changing the names, does not keep serving the old one. Installing writes
 * `live/edge.pem` (chain, then key) through a temporary file in the same directory and `mv`,
 * so the proxy never reads half a file, and only when the bytes differ.
 */
export function renderAcmeScript(s: AcmeScriptSpec): string {
  const problem = acmeScriptProblem(s);
  if (problem !== undefined) throw new Error(`acme issuer: ${problem}`);
  const state = s.stateDir ?? ACME_PATHS.state;
  const file = legoFileName(s.domains[0] ?? "");
  const domainArgs = s.domains.map((d) => `-d ${q(d)}`).join(" ");
  const hints = ACME_HINTS.map(
    (h) =>
      // lego stops at the first name whose validation fails; the hint names the first, which
      // reads as a URL, and the status line above names them all.
      `    *urn:ietf:params:acme:error:${h.type}*) echo ${q(h.hint.replaceAll("DOMAIN", s.domains[0] ?? ""))} ;;`,
  ).join("\n");
  return `#!/bin/sh
# Generated by api-stack (components/lib/acme-script.ts). Do not edit by hand.
set -u
umask 077
ACME=${acmeDir(state)}
LIVE=${liveDir(state)}
CRT="$ACME/certificates/${file}.crt"
KEY="$ACME/certificates/${file}.key"
REQUEST_FILE="$ACME/api-stack-request"
REQUEST=${q(`${s.directoryUrl} ${s.domains.join(" ")}`)}
STATUS=${s.statusFile ?? ACME_PATHS.status}
OUT="$STATUS.out"
LEGO=${s.lego ?? "lego"}
RENEW_DAYS=${s.renewDays}
RENEW_EVERY=${s.renewEverySeconds}
RETRY_EVERY=${s.retryEverySeconds}
GUARD_EVERY=${s.guardEverySeconds ?? 60}

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) acme: $*"; }

# status WORD TEXT: the healthcheck's answer, replaced whole (mv) so it is never half written.
status() {
  printf '%s %s\\n' "$1" "$2" >"$STATUS.new" && mv -f "$STATUS.new" "$STATUS"
}

# The ACME error in lego's output, as what to do about it.
explain() {
  case $(cat "$OUT") in
${hints}
    *) echo "see lego's output above" ;;
  esac
}

# PID 1 gets no default signal handling, so a stop is trapped; children are waited for in the
# background so the trap runs at once instead of after a sleep or lego finishes.
child=""
trap 'log "stopping"; [ -n "$child" ] && kill "$child" 2>/dev/null; exit 0' TERM INT
pause() {
  sleep "$1" &
  child=$!
  wait "$child"
  child=""
}

# lego VERB [ARGS]: one attempt; its output goes to the log, and on failure so does the hint.
lego_() {
  verb=$1
  shift
  "$LEGO" --path "$ACME" --server ${q(s.directoryUrl)} --email ${q(s.email)} --accept-tos \\
    --key-type ec256 --http --http.port ':${s.challengePort}' ${domainArgs} "$verb" "$@" >"$OUT" 2>&1 &
  child=$!
  wait "$child"
  rc=$?
  child=""
  cat "$OUT"
  if [ "$rc" -ne 0 ]; then
    why=$(explain)
    log "lego $verb failed for ${s.domains.join(", ")} (exit $rc): $why"
    status error "lego $verb failed for ${s.domains.join(", ")} at $(date -u +%Y-%m-%dT%H:%M:%SZ): $why"
    return 1
  fi
}

# The chain then the key, as HAProxy's \`crt\` reads them, into live/ atomically.
install() {
  mkdir -p "$LIVE" || return 1
  cat "$CRT" "$KEY" >"$LIVE/.edge.pem.acme" || { rm -f "$LIVE/.edge.pem.acme"; return 1; }
  if cmp -s "$LIVE/.edge.pem.acme" "$LIVE/edge.pem"; then
    rm -f "$LIVE/.edge.pem.acme"
  else
    mv -f "$LIVE/.edge.pem.acme" "$LIVE/edge.pem" || return 1
    log "installed the certificate for ${s.domains.join(", ")} in $LIVE/edge.pem"
  fi
  status ok "certificate for ${s.domains.join(", ")} installed; checked at $(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

obtain() {
  status pending "obtaining the first certificate for ${s.domains.join(", ")}"
  until lego_ run; do
    log "trying again in $RETRY_EVERY s"
    pause "$RETRY_EVERY"
  done
  printf '%s\\n' "$REQUEST" >"$REQUEST_FILE.new" && mv -f "$REQUEST_FILE.new" "$REQUEST_FILE"
  install
}

case "\${1:-}" in
  loop)
    # The edge state volume takes the owner of the haproxy image's /var/lib/haproxy (uid 99)
    # when the edge mounts it first; the issuer starts after the edge for that reason.
    mkdir -p "$ACME" || {
      log "cannot write $ACME as uid $(id -u): the edge state volume must be owned by the same uid"
      status error "cannot write $ACME as uid $(id -u)"
      exit 1
    }
    if [ -e "$CRT" ] && [ "$(cat "$REQUEST_FILE" 2>/dev/null)" = "$REQUEST" ]; then
      install || exit 1
      # A restart looks at the end date now: waiting a whole renewEvery first would serve an
      # expired certificate after a long stop, and never renew on a host that restarts more
      # often than renewEvery (lego renew returns at once when nothing is due: lego v4.9.1
      # cmd/cmd_renew.go, renewForDomains).
      until lego_ renew --days "$RENEW_DAYS" --no-random-sleep && install; do
        log "trying again in $RETRY_EVERY s"
        pause "$RETRY_EVERY"
      done
    else
      obtain || exit 1
    fi
    while :; do
      # Between renewal checks, put the certificate back if something else wrote live/edge.pem
      # (an installer of the edge's files that does not know about ACME): a cmp a minute.
      waited=0
      while [ "$waited" -lt "$RENEW_EVERY" ]; do
        step=$((RENEW_EVERY - waited))
        [ "$step" -gt "$GUARD_EVERY" ] && step=$GUARD_EVERY
        pause "$step"
        waited=$((waited + step))
        install || log "could not install the certificate in $LIVE"
      done
      until lego_ renew --days "$RENEW_DAYS" --no-random-sleep && install; do
        log "trying again in $RETRY_EVERY s"
        pause "$RETRY_EVERY"
      done
    done
    ;;
  health)
    cat "$STATUS" 2>/dev/null || { echo "starting"; exit 0; }
    case $(cat "$STATUS") in ok* | pending*) exit 0 ;; *) exit 1 ;; esac
    ;;
  *)
    echo "usage: $0 loop|health" >&2
    exit 2
    ;;
esac
`;
}
