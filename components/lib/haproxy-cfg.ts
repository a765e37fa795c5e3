/**
 * The edge proxy's haproxy.cfg, rendered from plain data. HAProxy was chosen over nginx and
 * Caddy because it does the three things a rolling deploy on one Docker host needs without a
 * reload: it re-resolves Docker's DNS at run time (`resolvers` + `server-template`, so
 * replicas that appear or vanish under the service alias are picked up), it health-checks
 * upstreams actively, and it retries a request whose connection failed on another replica
 * (`retry-on conn-failure` + `option redispatch`). Open-source nginx 1.26 (Debian trixie)
 * resolves an `upstream` block's names once at start, so it keeps sending to a removed
 * replica's address until it is reloaded.
 *
 * Every directive below is from HAProxy's configuration manual (haproxy/haproxy
 * doc/configuration.txt, 2.6 as shipped in Debian bookworm and 3.0 in trixie; both accept
 * this file, which test/real/haproxy-cfg.test.ts checks with `haproxy -c`).
 */

/** One web service the proxy balances across, found by its DNS alias on the frontend network. */
export interface EdgeUpstream {
  /** Backend name, e.g. "api": letters, digits, `-` and `_`. */
  readonly name: string;
  /** The alias every replica carries on the frontend network. */
  readonly host: string;
  /** The port the service listens on inside its containers. */
  readonly port: number;
  /** HTTP path that answers 200 when a replica can serve. */
  readonly healthPath: string;
  /** Replicas in config; the proxy reserves twice as many slots, since a roll creates before it deletes. */
  readonly replicas: number;
}

export interface EdgeProxyCfgSpec {
  readonly upstream: EdgeUpstream;
  /** Ports HAProxy binds inside its container (unprivileged, so it runs as non-root). */
  readonly httpPort: number;
  readonly httpsPort: number;
  /** The port users reach HTTPS on from outside (443 in prod); the redirect names it. */
  readonly publicHttpsPort: number;
  /**
   * The directory the served files are in (components/lib/edge-live.ts, EDGE_FILES), written
   * inside double quotes, so it may name an environment variable: "${EDGE_LIVE}".
   */
  readonly filesDir: string;
  /** Port of the proxy's own health endpoint, bound on 127.0.0.1 only. */
  readonly healthPort: number;
  readonly maxBodyBytes: number;
  readonly hstsMaxAgeSeconds: number;
  readonly timeouts: {
    readonly connectMs: number;
    readonly clientMs: number;
    readonly serverMs: number;
    readonly httpRequestMs: number;
    readonly queueMs: number;
  };
  /** Upstream check period and how many failures mark a replica down. */
  readonly check: { readonly intervalMs: number; readonly fall: number; readonly rise: number };
  /** The grace a soft stop (SIGUSR1) gets before HAProxy closes what is left. */
  readonly hardStopAfterMs: number;
  /**
   * The port of HAProxy's built-in Prometheus exporter (`/metrics`), for the monitoring
   * network; never published. @default no exporter
   */
  readonly metricsPort?: number;
  /**
   * The ACME issuer (`edge.tls: acme`): `frontend http` sends `/.well-known/acme-challenge/`
   * to it by its alias on the frontend network, instead of redirecting. @default none
   */
  readonly acme?: { readonly host: string; readonly port: number };
  /**
   * Maintenance mode, switched by the file EDGE_FILES.maintenance ("on" or empty) at each
   * reload: who still passes, and the `Retry-After` of the 503.
   */
  readonly maintenance: {
    readonly allow: readonly string[];
    readonly retryAfterSeconds: number;
  };
}

/** Docker's embedded DNS server, which answers for container names and aliases on user networks (docs.docker.com, "Container networking": DNS services). */
export const DOCKER_DNS = "127.0.0.11:53";

/** The files in `filesDir` that haproxy.cfg reads (the same names as lib/edge-live.ts). */
export const EDGE_CFG_FILES = {
  pem: "edge.pem",
  maintenance: "maintenance.flag",
  maintenancePage: "maintenance.html",
} as const;

/** An IPv4 or IPv6 address, optionally with a prefix length: what `src` takes. */
const ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(\/\d{1,3})?)$/;

/** The path of the proxy's own liveness endpoint (`monitor-uri`). */
export const EDGE_HEALTH_PATH = "/edge-healthz";

/**
 * Mozilla's "intermediate" TLS 1.2 cipher list (ssl-config.mozilla.org, guidelines 5.7):
 * forward-secret AEAD suites only. TLS 1.3 suites are HAProxy's defaults.
 */
const TLS12_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

/** The security headers every HTTPS response carries. */
export function securityHeaders(hstsMaxAgeSeconds: number): Readonly<Record<string, string>> {
  return {
    "Strict-Transport-Security": `max-age=${hstsMaxAgeSeconds}; includeSubDomains`,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
  };
}

/**
 * One JSON object per request. Values that come from the client go through HAProxy's
 * `json(utf8s)` converter (configuration.txt 7.3.1, "json"), so a quote in a path cannot
 * break the line; the rest are numbers or HAProxy's own tokens.
 */
const JSON_LOG_FORMAT =
  '{"time":"%tr","client":"%ci","frontend":"%f","backend":"%b","server":"%s",' +
  '"method":"%HM","uri":"%[capture.req.uri,json(utf8s)]","status":%ST,"bytes":%B,' +
  '"tq_ms":%TR,"tw_ms":%Tw,"tc_ms":%Tc,"tr_ms":%Tr,"ta_ms":%Ta,"retries":"%rc",' +
  '"termination":"%tsc"}';

const NAME = /^[A-Za-z0-9_-]+$/;
const DNS_NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

/** The backend HTTP-01 challenges go to with `acme`. */
export const ACME_BACKEND = "acme-challenge";
/** RFC 8555 section 8.3: the CA fetches `http://<domain>/.well-known/acme-challenge/<token>`. */
export const ACME_CHALLENGE_PREFIX = "/.well-known/acme-challenge/";

/** Why `spec` cannot be rendered, or `undefined`; the component turns this into a ResourceError. */
export function haproxyCfgProblem(spec: EdgeProxyCfgSpec): string | undefined {
  const u = spec.upstream;
  if (!NAME.test(u.name)) return `upstream name "${u.name}" may hold only letters, digits, - and _`;
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(u.host))
    return `upstream host "${u.host}" is not a DNS name`;
  if (!u.healthPath.startsWith("/") || /\s/.test(u.healthPath))
    return `health path "${u.healthPath}" must start with / and hold no spaces`;
  if (!Number.isInteger(u.replicas) || u.replicas < 1)
    return `replicas must be a whole number of at least 1`;
  const ports = [u.port, spec.httpPort, spec.httpsPort, spec.publicHttpsPort, spec.healthPort];
  if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65_535))
    return "every port must be a whole number from 1 to 65535";
  if (new Set([spec.httpPort, spec.httpsPort, spec.healthPort]).size !== 3)
    return "the proxy's http, https and health ports must differ";
  if (spec.acme !== undefined) {
    if (!DNS_NAME.test(spec.acme.host)) return `acme host "${spec.acme.host}" is not a DNS name`;
    const p = spec.acme.port;
    if (!Number.isInteger(p) || p < 1 || p > 65_535)
      return "the acme port must be a whole number from 1 to 65535";
    if (u.name === ACME_BACKEND)
      return `upstream name "${u.name}" is the ACME challenge backend's: pick another`;
  }
  if (!/^[^"\\\s]+$/.test(spec.filesDir))
    return `files directory "${spec.filesDir}" may hold no quote, backslash or space`;
  const bad = spec.maintenance.allow.find((a) => !ADDRESS.test(a));
  if (bad !== undefined) return `maintenance allow "${bad}" is not an IP address or CIDR`;
  const r = spec.maintenance.retryAfterSeconds;
  if (!Number.isInteger(r) || r < 1)
    return "maintenance retryAfterSeconds must be a whole number of at least 1";
  return undefined;
}

/** Milliseconds in HAProxy's time format (configuration.txt 2.5, "Time format": a `ms` suffix). */
const ms = (n: number): string => `${Math.round(n)}ms`;

/** How often a replica marked down is checked: a quarter of a second. */
export const DOWN_INTER_MS = 250;

/** The whole haproxy.cfg. Pure: the same spec always renders the same text. */
export function renderHaproxyCfg(spec: EdgeProxyCfgSpec): string {
  const problem = haproxyCfgProblem(spec);
  if (problem !== undefined) throw new Error(`edge proxy: ${problem}`);
  const u = spec.upstream;
  const t = spec.timeouts;
  const headers = Object.entries(securityHeaders(spec.hstsMaxAgeSeconds)).map(
    ([k, v]) => `  http-after-response set-header ${k} "${v}"`,
  );
  // A roll creates the new replicas before it removes the old ones, so at its peak
  // 2 × replicas answer under the alias; spare slots stay in maintenance until DNS fills them.
  const slots = Math.max(2 * u.replicas, 2);
  const redirectPort = spec.publicHttpsPort === 443 ? "" : `:${spec.publicHttpsPort}`;
  const file = (name: string) => `"${spec.filesDir}/${name}"`;
  const m = spec.maintenance;
  return [
    "global",
    // Docker's json-file driver with max-size/max-file rotates what goes to stdout.
    "  log stdout format raw local0 info",
    "  maxconn 4096",
    `  hard-stop-after ${ms(spec.hardStopAfterMs)}`,
    "  ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets",
    `  ssl-default-bind-ciphers ${TLS12_CIPHERS}`,
    "",
    // configuration.txt 5.3.2, "The resolvers section": `timeout resolve` is how often the
    // server names are resolved again; hold obsolete is how long a replica that left DNS keeps
    // its slot (health checks take it out of rotation sooner). `hold valid` is not set: it
    // "applies only to do-resolve" actions and "does not affect dynamic resolution of servers".
    "resolvers docker",
    `  nameserver docker ${DOCKER_DNS}`,
    "  resolve_retries 3",
    "  timeout resolve 1s",
    "  timeout retry 1s",
    "  hold other 1s",
    "  hold refused 1s",
    "  hold nx 1s",
    "  hold timeout 1s",
    "  hold obsolete 1s",
    "  accepted_payload_size 8192",
    "",
    "defaults",
    "  mode http",
    "  log global",
    `  log-format '${JSON_LOG_FORMAT}'`,
    "  option dontlognull",
    // Not `option idle-close-on-response` (configuration.txt 4.2): it keeps a soft-stopping
    // worker until each idle keep-alive connection sends one more request, which is harmless at
    // a reload but holds a stopping container (its listeners already closed) until then or
    // hard-stop-after. test/real/haproxy-cfg.test.ts: with one idle connection SIGUSR1 took
    // 4.8 s with it (hard-stop-after 5 s), 0.3 s without; a clean-clone CI (7418dd2) saw a
    // replaced proxy refuse connections for 9.5 s with it, where Prometheus keeps an idle
    // scrape connection. By default idle connections are closed at a soft stop; HTTP/2
    // clients get a GOAWAY.
    `  timeout connect ${ms(t.connectMs)}`,
    `  timeout client ${ms(t.clientMs)}`,
    `  timeout server ${ms(t.serverMs)}`,
    `  timeout http-request ${ms(t.httpRequestMs)}`,
    `  timeout queue ${ms(t.queueMs)}`,
    "",
    "frontend health",
    `  bind 127.0.0.1:${spec.healthPort}`,
    `  monitor-uri ${EDGE_HEALTH_PATH}`,
    "  option dontlog-normal",
    "",
    ...(spec.metricsPort === undefined
      ? []
      : [
          // The exporter is compiled in with USE_PROMEX=1, as the official image builds it
          // (docker-library/haproxy 3.0 Dockerfile, makeOpts; test/docker/images/manifests.json),
          // and served as an applet (configuration.txt 4.2, "http-request use-service";
          // addons/promex/README). Only /metrics answers; the port is not published.
          "frontend metrics",
          `  bind :${spec.metricsPort}`,
          "  option dontlog-normal",
          "  http-request use-service prometheus-exporter if { path /metrics }",
          "  http-request deny deny_status 404",
          "",
        ]),
    "frontend http",
    `  bind :${spec.httpPort}`,
    // The ACME CA fetches its HTTP-01 token over plain HTTP on port 80, so those requests are
    // not redirected (http-request rules run before use_backend: configuration.txt 4.2,
    // "http-request" and "use_backend").
    ...(spec.acme === undefined ? [] : [`  acl acme_challenge path_beg ${ACME_CHALLENGE_PREFIX}`]),
    // The Host header without its port, then the public HTTPS port when it is not 443.
    `  http-request redirect location https://%[req.hdr(host),regsub(:[0-9]+$,)]${redirectPort}%[capture.req.uri] code 301${spec.acme === undefined ? "" : " unless acme_challenge"}`,
    ...(spec.acme === undefined ? [] : [`  use_backend ${ACME_BACKEND} if acme_challenge`]),
    "",
    "frontend https",
    `  bind :${spec.httpsPort} ssl crt ${file(EDGE_CFG_FILES.pem)} alpn h2,http/1.1`,
    // Maintenance mode (configuration.txt 7.1.3, "-f <file>": an ACL's patterns read from a
    // file at each (re)load; 7.3.2, "str"). The health path still reaches the API, the
    // addresses in `allow` reach everything, the rest get the page with `Retry-After`; the
    // security headers below are added to it too (http-after-response covers responses HAProxy
    // makes itself, 4.2 "http-after-response").
    `  acl maintenance str(on) -f ${file(EDGE_CFG_FILES.maintenance)}`,
    ...(m.allow.length === 0 ? [] : [`  acl maintenance_allowed src ${m.allow.join(" ")}`]),
    `  http-request return status 503 content-type "text/html; charset=utf-8" file ${file(EDGE_CFG_FILES.maintenancePage)} hdr retry-after ${m.retryAfterSeconds} hdr cache-control no-store if maintenance !{ path ${u.healthPath} }${m.allow.length === 0 ? "" : " !maintenance_allowed"}`,
    // A body whose length is not declared up front (HTTP/1.1 chunked, or HTTP/2 without
    // content-length) cannot be held to the limit before it reaches the API, so it is refused.
    // 411 is not among the statuses `deny_status` has a default error page for
    // (configuration.txt 4.2, "errorfile"), so it is answered with `return`.
    '  http-request return status 411 content-type text/plain string "length required" if { method POST PUT PATCH } !{ req.hdr(content-length) -m found }',
    `  http-request deny deny_status 413 if { req.hdr_val(content-length) gt ${spec.maxBodyBytes} }`,
    // The API's own /metrics is for Prometheus on the monitoring network, not for the Internet.
    "  http-request deny deny_status 404 if { path /metrics } || { path_beg /metrics/ }",
    "  http-request set-header X-Forwarded-Proto https",
    "  option forwardfor",
    ...headers,
    `  default_backend ${u.name}`,
    "",
    `backend ${u.name}`,
    "  balance leastconn",
    // configuration.txt 4.2, "retry-on": conn-failure retries what was never sent;
    // empty-response also retries a request whose server connection closed before any answer
    // (a replica that stops or crashes while it holds the request). A clean-clone CI saw one
    // 502 in a rolling replace under load (c729560); its cause was not reproduced (a layer-4
    // attempt, a replica resetting right after the request arrives, got 200 with or without
    // empty-response, so it could not fail and was not kept), so this is hardening, not a
    // proven fix. Only GET and HEAD may be replayed
    // ("http-request disable-l7-retry", 4.2): other methods could repeat a side effect.
    // "option redispatch" sends the retry to another replica.
    "  retry-on conn-failure empty-response",
    "  http-request disable-l7-retry if !METH_GET",
    "  retries 3",
    "  option redispatch 1",
    "  option httpchk",
    `  http-check send meth GET uri ${u.healthPath} ver HTTP/1.1 hdr Host edge`,
    "  http-check expect status 200",
    // With every replica down (their /health fails while Redis is away), HAProxy answers 503
    // itself; like the API's own 503 it says when to retry, in the same JSON shape
    // (configuration.txt 4.2, "http-error": status, content-type, string, hdr).
    `  http-error status 503 content-type application/json string '{"error":"no replica available"}' hdr retry-after 1`,
    // A replica that is down is checked every DOWN_INTER_MS instead of every `inter`
    // (configuration.txt 5.2, "downinter"), so it is back in rotation within that much of its
    // /health passing again, not up to a whole interval later (issue 26: Redis back, API back).
    `  default-server check inter ${ms(spec.check.intervalMs)} downinter ${ms(DOWN_INTER_MS)} fall ${spec.check.fall} rise ${spec.check.rise} observe layer4 error-limit 1 on-error mark-down resolvers docker init-addr none resolve-prefer ipv4`,
    `  server-template ${u.name}- ${slots} ${u.host}:${u.port}`,
    "",
    ...(spec.acme === undefined ? [] : acmeBackend(spec.acme)),
  ].join("\n");
}

/**
 * The issuer's challenge server, found by its alias through Docker's DNS like the replicas.
 * lego listens only while a challenge is pending (go-acme/lego v4.9.1
 * challenge/http01/http_challenge_server.go, Present/CleanUp), so the server has no `check`:
 * HAProxy forwards as is, and between challenges the request is refused and answered 503.
 * `init-addr none` lets HAProxy start before the issuer exists (configuration.txt 5.2).
 */
function acmeBackend(acme: { readonly host: string; readonly port: number }): string[] {
  return [
    `backend ${ACME_BACKEND}`,
    `  server issuer ${acme.host}:${acme.port} resolvers docker init-addr none resolve-prefer ipv4`,
    "",
  ];
}
