/**
 * The services' part of the stack schema: the web service `api`, the `workers` beside it, and
 * the `edge` proxy in front of it. Each output is its component's args' shape; the defaults
 * are read from the components (API_SERVICE_DEFAULTS, WORKER_SERVICE_DEFAULTS,
 * EDGE_PROXY_DEFAULTS). Rules that span keys live in rules.ts and service-rules.ts.
 */
import { z } from "zod";
import { API_SERVICE_DEFAULTS } from "../../components/api-service";
import { EDGE_PROXY_DEFAULTS } from "../../components/edge-proxy";
import { cpusRoundTrip, providerCpus } from "../../components/lib/container";
import { MAINTENANCE_MESSAGE_MAX } from "../../components/lib/edge-live";
import { HEARTBEAT_FILE_PATTERN } from "../../components/lib/healthcheck";
import { WORKER_SERVICE_DEFAULTS } from "../../components/worker-service";
import {
  checkTiming,
  cliNumber,
  CPUS_MIN,
  duration,
  envName,
  hostIp,
  human,
  image,
  port,
  restart,
  seconds,
  STOP_TIMEOUT_MAX_MS,
  STOP_TIMEOUT_MIN_MS,
  timing,
  timingShape,
} from "./fields";
import { acmeSchema } from "./edge-acme";
import { scalingSchema } from "./platform";

const A = API_SERVICE_DEFAULTS;
const W = WORKER_SERVICE_DEFAULTS;
const E = EDGE_PROXY_DEFAULTS;

/** Most containers one service may run; more belongs on more hosts, not one. */
export const MAX_REPLICAS = 20;

const replicas = (d: number) =>
  cliNumber(
    z
      .number()
      .int()
      .min(1, { error: "must be at least 1" })
      .max(MAX_REPLICAS, {
        error: `must be at most ${MAX_REPLICAS}: on Docker that is more than one host should run (add hosts); on ECS, let \`scaling.max\` add tasks`,
      }),
  ).default(d);

// The pack's container-memory-limit refuses less than 16 MB (policy/config/*.json minMemoryMb).
const memoryMb = (what: string) =>
  cliNumber(
    z
      .number()
      .int()
      .min(16, {
        error: `must be at least 16 (MB), the policy pack's \`container-memory-limit\` minimum: below it the ${what} is OOM-killed at start`,
      }),
  ).optional();

const cpus = cliNumber(
  z
    .number()
    .min(CPUS_MIN, {
      error: `must be at least ${CPUS_MIN}: below it Docker asks the kernel for a CFS quota under 1ms per 100ms period, which the kernel refuses, so the container never starts`,
    })
    .max(256)
    .refine(cpusRoundTrip, {
      error: (i) =>
        `(${String(i.input)}) reads back from Docker as "${providerCpus(Number(i.input))}" (the provider keeps one decimal when it prints nine zeros), and \`cpus\` forces a replacement, so every \`pulumi up\` would replace the container: use a value that reads back as itself, e.g. 0.1, 0.25 or 1.5`,
    }),
).optional();

const user = z
  // `pulumi config set --path api.user 10001` stores a number: the uid it is.
  .union([z.number().int().min(0).transform(String), z.string()])
  .pipe(
    z.string().regex(/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/, {
      error: 'must be "uid", "uid:gid" or a user name, e.g. "10001:10001"',
    }),
  )
  .optional();

/**
 * The signal names Docker accepts as a stop signal on Linux: moby/sys signal_linux.go SignalMap
 * (vendored in moby v26.1.5), which daemon/container.go checks with signal.ParseSignal when a
 * container is created. So "SIGTREM" fails every create, part-way through the deploy.
 */
export const DOCKER_SIGNALS = new Set([
  ..."ABRT ALRM BUS CHLD CLD CONT FPE HUP ILL INT IO IOT KILL PIPE POLL PROF PWR QUIT SEGV STKFLT STOP SYS TERM TRAP TSTP TTIN TTOU URG USR1 USR2 VTALRM WINCH XCPU XFSZ RTMIN RTMAX".split(
    " ",
  ),
  ...Array.from({ length: 15 }, (_, i) => `RTMIN+${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `RTMAX-${i + 1}`),
]);

const stopSignal = (d: string) =>
  z
    .string()
    .regex(/^SIG[A-Z0-9+-]+$/, { error: 'must be a signal name such as "SIGTERM"' })
    .refine((s) => DOCKER_SIGNALS.has(s.slice(3)), {
      error: (i) =>
        `("${String(i.input)}") is not a signal Docker knows, so every container create fails: use e.g. "SIGTERM", "SIGINT" or "SIGQUIT"`,
    })
    .default(d);

const stopTimeout = (d: number) =>
  duration(seconds(d))
    .superRefine((ms, ctx) => {
      // kreuzwerker/terraform-provider-docker resource_docker_container_funcs.go reads
      // `d.GetOk("stop_timeout")`, and GetOk treats the zero value as unset.
      if (ms < STOP_TIMEOUT_MIN_MS)
        ctx.addIssue({
          code: "custom",
          message: `(${human(ms)}) must be at least 1s: the Docker provider reads ${ms === 0 ? "0" : "a value under 1s"} as unset, so Docker's 10s default applies instead; set e.g. "30s"`,
        });
      else if (ms > STOP_TIMEOUT_MAX_MS)
        ctx.addIssue({
          code: "custom",
          message: `(${human(ms)}) must be at most 10m: every replace and destroy would wait that long for a stuck container; lower it`,
        });
    })
    .prefault(seconds(d));

/** What every service container shares: restart, limits, user, grace and env. */
const containerShape = (
  what: string,
  d: { restart: string; stopSignal: string; stopTimeoutMs: number },
) => ({
  restart: restart.default(d.restart as z.infer<typeof restart>),
  maxRetryCount: cliNumber(z.number().int().min(1)).optional(),
  memoryMb: memoryMb(what),
  cpus,
  user,
  stopSignal: stopSignal(d.stopSignal),
  stopTimeout: stopTimeout(d.stopTimeoutMs),
  env: z.record(envName, z.string()).default({}),
  /** `platform: ecs` only: the autoscaling range. */
  scaling: scalingSchema,
});

/** The web service `api`; the output is `ApiServiceArgs`' shape. */
export const serviceSchema = z
  .strictObject({
    image: image(),
    port: port().default(A.port),
    // No default here: with `edge` the API publishes nothing, so a hostIp the user set is an
    // error (rules.ts), and without it the component's own default applies.
    hostIp: hostIp.optional(),
    hostPort: port().optional(),
    replicas: replicas(A.replicas),
    healthcheck: z
      .strictObject({
        ...timingShape(A.healthcheck),
        path: z
          .string()
          .startsWith("/", { error: 'must start with "/", e.g. "/health"' })
          .regex(/^\S+$/, { error: 'must hold no spaces, e.g. "/health"' })
          .default(A.healthcheck.path),
        command: z
          .array(z.string())
          .min(2)
          .refine((c) => c[0] === "CMD" || c[0] === "CMD-SHELL", {
            error:
              'must start with "CMD" or "CMD-SHELL", e.g. ["CMD", "wget", "-qO-", "http://127.0.0.1:3003/health"]',
          })
          .optional(),
      })
      .superRefine(checkTiming)
      .prefault({})
      .transform(timing),
    ...containerShape("API", A),
  })
  // The stack file says `stopTimeout: 30s`; the component takes milliseconds and says so.
  .transform(({ stopTimeout, ...rest }) => ({ ...rest, stopTimeoutMs: stopTimeout }));

/** Names a worker may not take: the other components' names, whose children share the prefix. */
export const RESERVED_WORKER_NAMES = ["api", "cache", "edge", "app"] as const;

const workerName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}$/, {
    error:
      'must be lower-case letters, digits and "-", start with a letter, at most 31 characters, e.g. "jobs"',
  })
  .refine((n) => !(RESERVED_WORKER_NAMES as readonly string[]).includes(n), {
    error: `is taken by the stack's own components (${RESERVED_WORKER_NAMES.join(", ")}): pick another name, e.g. "jobs"`,
  });

/** One worker; the output is `WorkerServiceArgs`' shape. */
const workerSchema = z
  .strictObject({
    image: image(),
    command: z
      .array(z.string().min(1, { error: "must not be empty" }), {
        error: 'must be a list of strings, e.g. ["node", "/app/server.js", "worker"]',
      })
      .min(1, { error: 'must name the program, e.g. ["node", "/app/server.js", "worker"]' })
      .refine((c) => !/\s/.test(c[0] ?? ""), {
        error: (i) => {
          const words = String((i.input as string[])[0])
            .trim()
            .split(/\s+/);
          return `starts with "${words.join(" ")}", one word holding spaces: Docker runs an exec-form command without a shell, so it looks for a program of that name; split it, e.g. ${JSON.stringify([...words, ...(i.input as string[]).slice(1)])}`;
        },
      }),
    replicas: replicas(W.replicas),
    healthcheck: z
      .strictObject({
        ...timingShape(W.healthcheck),
        heartbeatFile: z
          .string()
          .regex(HEARTBEAT_FILE_PATTERN, {
            error:
              'must be an absolute path of letters, digits and ._/-, e.g. "/tmp/worker-heartbeat"',
          })
          .default(W.healthcheck.heartbeatFile),
        maxAge: duration(seconds(W.healthcheck.maxAgeMs))
          .refine((ms) => ms >= 1_000, { error: 'must be at least 1s, e.g. "10s"' })
          .prefault(seconds(W.healthcheck.maxAgeMs)),
      })
      .superRefine(checkTiming)
      .prefault({})
      .transform(({ maxAge, ...h }) => ({ ...timing(h), maxAgeMs: maxAge })),
    ...containerShape("worker", W),
  })
  .transform(({ stopTimeout, ...rest }) => ({ ...rest, stopTimeoutMs: stopTimeout }));

export const workersSchema = z.record(workerName, workerSchema).optional();

const dnsName = z
  .string()
  .regex(/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, {
    error: 'must be a DNS name such as "api.example.com" (or "localhost")',
  })
  // The generated certificate puts each entry in a DNS SAN, and a client connecting to an IP
  // checks IP SANs only (RFC 6125 section 6.2), so it would never validate.
  .refine((n) => !/^\d+(\.\d+){3}$/.test(n), {
    error: (i) =>
      `("${String(i.input)}") is an IP address: the certificate would name it as a DNS name, which no client accepts for an IP; list the DNS name clients use instead`,
  });

/**
 * The oldest HAProxy that runs the rendered haproxy.cfg: 2.2, which added `http-after-response`
 * (the security headers on every answer), `http-request return` (the 411) and `http-check send`
 * (the replicas' probe): doc/configuration.txt has none of them at v2.1.0 and all at v2.2.0,
 * and HAProxy 2.1.0's `haproxy -c` refuses the rendered file on each.
 */
export const HAPROXY_FLOOR = [2, 2] as const;

/** Why an HAProxy tag cannot run what the stack renders, or undefined (digests and names pass). */
export function haproxyTagProblem(ref: string): string | undefined {
  const tag = /:([^/@]+)(@|$)/.exec(ref)?.[1];
  if (tag === undefined) return undefined;
  // The edge probe runs bash (components/lib/healthcheck.ts, edgeProbe); Alpine tags have none.
  if (/(^|-)alpine/.test(tag))
    return `("${ref}") is an Alpine tag, which has no bash, and the edge's healthcheck runs bash: use the Debian-based tag, e.g. "${E.image}"`;
  const v = /^(\d+)\.(\d+)/.exec(tag);
  if (!v) return undefined;
  const [major, minor] = [Number(v[1]), Number(v[2])];
  if (major < HAPROXY_FLOOR[0] || (major === HAPROXY_FLOOR[0] && minor < HAPROXY_FLOOR[1]))
    return `("${ref}") is HAProxy ${major}.${minor}, which cannot run the rendered haproxy.cfg: \`http-after-response\` (the security headers), \`http-request return\` and \`http-check send\` need HAProxy ${HAPROXY_FLOOR.join(".")} or newer; use e.g. "${E.image}"`;
  return undefined;
}

const M = EDGE_PROXY_DEFAULTS.maintenance;

/**
 * Maintenance mode (components/edge-proxy.ts, EdgeMaintenance): switched by `pulumi up` with no
 * restart of the proxy, or by `npm run maintenance` with no `up` at all.
 */
export const maintenanceSchema = z.strictObject({
  enabled: z.boolean().default(M.enabled),
  message: z
    .string()
    .min(1)
    .max(MAINTENANCE_MESSAGE_MAX)
    .regex(/^[^\u0000-\u001f\u007f]*$/, {
      error:
        "must be one line of plain text (no control characters); it is HTML-escaped into the page",
    })
    .default(M.message),
  allow: z
    .array(
      z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], {
        error: 'must be an IP address or CIDR block such as "203.0.113.7" or "10.0.0.0/8"',
      }),
    )
    .default([...M.allow]),
  retryAfter: duration("5m")
    .refine((ms) => ms >= 1_000 && ms % 1_000 === 0, {
      error: 'must be whole seconds, at least "1s": it is sent as `Retry-After` in seconds',
    })
    .default(M.retryAfterSeconds * 1_000),
});

/** The edge proxy; the output is the stack's choice of certificate plus `EdgeProxyArgs`' shape. */
export const edgeSchema = z
  .strictObject({
    image: image()
      .refine((ref) => /(^|\/)haproxy([:@]|$)/.test(ref), {
        error: `must be an HAProxy image laid out as the official one, e.g. "${E.image}": the stack renders a haproxy.cfg`,
      })
      .superRefine((ref, ctx) => {
        const problem = haproxyTagProblem(ref);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .prefault(E.image),
    hostIp: hostIp.default(E.hostIp),
    httpPort: port().default(E.httpPort),
    httpsPort: port().default(E.httpsPort),
    maxBodyBytes: cliNumber(z.number().int().min(1_024)).default(E.maxBodyBytes),
    hstsMaxAgeSeconds: cliNumber(z.number().int().min(0)).default(E.hstsMaxAgeSeconds),
    memoryMb: memoryMb("proxy"),
    /** Where the certificate comes from: generated here, the two secrets, or an ACME CA. */
    tls: z.enum(["selfSigned", "config", "acme"], {
      error:
        'is required: "selfSigned" (a certificate generated for `dnsNames`, for dev and first deploys), "config" (your certificate in the secrets `edgeCertificate` and `edgePrivateKey`) or "acme" (obtained and renewed from Let\'s Encrypt or another ACME CA: see `edge.acme`)',
    }),
    acme: acmeSchema.optional(),
    dnsNames: z.array(dnsName).min(1).default(["localhost"]),
    maintenance: maintenanceSchema.prefault({}),
  })
  .superRefine((e, ctx) => {
    if (e.httpPort === e.httpsPort)
      ctx.addIssue({
        code: "custom",
        path: ["httpsPort"],
        message: `(${e.httpsPort}) is also \`edge.httpPort\`: HTTP (redirects) and HTTPS need different host ports, e.g. 80 and 443`,
      });
  });
