/**
 * ECS task definitions as the pack reads them. `containerDefinitions` is a JSON *string* of the
 * ECS ContainerDefinition list (@pulumi/aws 7.48 `ecs/taskDefinition.d.ts`: `containerDefinitions:
 * pulumi.Input<string>`), so it is parsed here once; the rules judge the parsed containers, their
 * keys folded to the canonical ContainerDefinition names as the provider's Go decoder matches
 * them (lib/ecs-json.ts): `{"Image": …}` or a later `"image"` is what ECS registers.
 * Limits are the ECS API reference's (ContainerDefinition, HealthCheck), cited where they are used.
 */
import { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { CONTAINER_DEFINITION, decodeStruct, parseEntries, RepeatedFieldError } from "./ecs-json";
import { redactUrl, redisUrls, secretInValue, secretKindOfName } from "./secrets";
import { isUnknown, raw, UNKNOWN_SENTINELS, unknownAtPreview } from "./unknown";
import { isObj, Obj } from "./obj";

export interface Container {
  readonly name: string;
  readonly def: Obj;
}

export type ParsedContainers =
  | { readonly state: "known"; readonly containers: readonly Container[] }
  | { readonly state: "unknown" }
  | { readonly state: "invalid"; readonly why: string };

/** Parses `containerDefinitions` (a JSON string; a list is accepted too, as a mock may send). */
export function parseContainerDefinitions(v: unknown): ParsedContainers {
  if (isUnknown(v)) return { state: "unknown" };
  let list: unknown = v;
  if (typeof v === "string") {
    // A string built with pulumi.jsonStringify around an unknown Output is itself unknown at
    // preview (the engine sends the sentinel for the whole string); inside JSON it may appear too.
    if (Object.values(UNKNOWN_SENTINELS).some((s) => v.includes(s))) return { state: "unknown" };
    try {
      JSON.parse(v);
    } catch (e) {
      return { state: "invalid", why: `it is not valid JSON (${(e as Error).message})` };
    }
    list = parseEntries(v); // document order, repeated keys kept: Go's last key wins
  }
  if (!Array.isArray(list)) return { state: "invalid", why: "it is not a JSON list" };
  let containers: (Container | undefined)[];
  try {
    containers = decodeContainers(list);
  } catch (e) {
    if (!(e instanceof RepeatedFieldError)) throw e;
    return {
      state: "invalid",
      why: `${e.message}, which the provider's Go decoder merges into a value no copy shows; write each field once`,
    };
  }
  if (containers.some((c) => c === undefined)) {
    return { state: "invalid", why: "an entry is not an object" };
  }
  return { state: "known", containers: containers as Container[] };
}

function decodeContainers(list: unknown[]): (Container | undefined)[] {
  return list.map((raw, i) => {
    const def = decodeStruct(CONTAINER_DEFINITION, raw, `[${i}].`);
    return isObj(def)
      ? { name: typeof def.name === "string" ? def.name : `#${i}`, def }
      : undefined;
  });
}

/**
 * Runs `each` on every container of a task definition (Analyze), with a label naming the
 * container and the task definition; reports definitions unknown at preview or unreadable, so
 * every rule over containers refuses what it cannot see.
 */
export function eachContainer(
  args: ResourceValidationArgs,
  report: ReportViolation,
  each: (c: Container, label: string, fargate: boolean) => void,
): void {
  const p = raw(args.props);
  const parsed = parseContainerDefinitions(p.containerDefinitions);
  const td = `ECS task definition "${args.name}"`;
  if (parsed.state === "unknown") {
    report(
      unknownAtPreview(
        `\`containerDefinitions\` of ${td}`,
        "build the container definitions from literal values (config, not another resource's output) so they are known at preview",
      ),
    );
  } else if (parsed.state === "invalid") {
    report(
      `\`containerDefinitions\` of ${td} cannot be read: ${parsed.why}. Fix: pass JSON.stringify([...]) of the container list.`,
    );
  } else {
    const compat = p.requiresCompatibilities;
    const fargate = Array.isArray(compat) && compat.includes("FARGATE");
    for (const c of parsed.containers) each(c, `container "${c.name}" of ${td}`, fargate);
  }
}

/** Seconds from a container field: a number, or a numeric string (CloudFormation-style JSON). */
export function seconds(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

/**
 * ECS HealthCheck ranges, from the ECS API reference `HealthCheck`: interval 5–300 s (default
 * 30), timeout 2–60 s (default 5), retries 1–10 (default 3), startPeriod 0–300 s (off by
 * default). (The 2–120 s timeout range belongs to ELB target groups, not to containers.)
 */
export const ECS_HEALTHCHECK = {
  interval: { min: 5, max: 300, default: 30 },
  timeout: { min: 2, max: 60, default: 5 },
  retries: { min: 1, max: 10, default: 3 },
  startPeriod: { min: 0, max: 300, default: 0 },
} as const;

/**
 * ContainerDefinition `stopTimeout`: "For tasks that use the Fargate launch type, the max stop
 * timeout value is 120 seconds and if the parameter is not specified, the default value of 30
 * seconds is used" (ECS API reference, ContainerDefinition).
 */
export const FARGATE_MAX_STOP_TIMEOUT = 120;
export const DEFAULT_STOP_TIMEOUT = 30;

export interface HealthCheck {
  readonly command: readonly string[];
  readonly interval: number;
  readonly timeout: number;
  readonly retries: number;
  readonly startPeriod: number;
}

/** The container's healthCheck with ECS defaults filled in; undefined when it has none. */
export function healthCheckOf(c: Container): HealthCheck | undefined {
  const h = c.def.healthCheck;
  if (!isObj(h)) return undefined;
  const num = (k: keyof typeof ECS_HEALTHCHECK) => seconds(h[k]) ?? ECS_HEALTHCHECK[k].default;
  return {
    command: Array.isArray(h.command) ? h.command.map(String) : [],
    interval: num("interval"),
    timeout: num("timeout"),
    retries: num("retries"),
    startPeriod: num("startPeriod"),
  };
}

/** Why a container's healthCheck falls outside what ECS accepts, one line per field. */
export function healthCheckProblems(h: HealthCheck): string[] {
  const out: string[] = [];
  for (const k of Object.keys(ECS_HEALTHCHECK) as (keyof typeof ECS_HEALTHCHECK)[]) {
    const { min, max } = ECS_HEALTHCHECK[k];
    if (h[k] < min || h[k] > max) {
      out.push(`\`healthCheck.${k}\` is ${h[k]}, outside ECS's ${min}–${max}`);
    }
  }
  if (h.timeout >= h.interval) {
    out.push(
      `\`healthCheck.timeout\` (${h.timeout} s) is not shorter than \`healthCheck.interval\` (${h.interval} s)`,
    );
  }
  if (h.command.length === 0) out.push("`healthCheck.command` is empty");
  return out;
}

/**
 * Why a container's `healthCheck.startPeriod` is below `floorS` seconds, the floor the Docker
 * rule `healthcheck-timing` holds containers to (lib/healthcheck.ts START_PERIOD_RANGE): unset,
 * ECS turns the start period off ("By default, the startPeriod is off", ECS API reference,
 * HealthCheck, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html),
 * so failed probes count from the first second. Values outside ECS's 0–300 are
 * healthCheckProblems' to report.
 */
export function startPeriodBelowFloor(
  c: Container,
  h: HealthCheck,
  floorS: number,
): string | undefined {
  if (h.startPeriod < 0 || h.startPeriod >= floorS) return undefined;
  const given = isObj(c.def.healthCheck) ? c.def.healthCheck.startPeriod : undefined;
  return given === undefined || given === null
    ? "`healthCheck.startPeriod` is unset (ECS then turns the start period off)"
    : `\`healthCheck.startPeriod\` is ${h.startPeriod} s`;
}

/** `stopTimeout` in seconds, the Fargate default when unset. */
export function stopTimeoutOf(c: Container): number {
  return seconds(c.def.stopTimeout) ?? DEFAULT_STOP_TIMEOUT;
}

/** ContainerDefinition `essential` defaults to true (ECS API reference). */
export const isEssential = (c: Container): boolean => c.def.essential !== false;

/**
 * The path a healthCheck probes over HTTP on the task itself (curl/wget to localhost), or
 * undefined when the command is not such a probe.
 */
export function httpProbePath(h: HealthCheck): string | undefined {
  const text = h.command.join(" ");
  const m =
    /\bhttps?:\/\/(?:localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0)(?::\d+)?(\/[^\s'"|;&)]*)?/i.exec(
      text,
    );
  if (!m) return undefined;
  return (m[1] ?? "/").split(/[?#]/)[0] || "/";
}

/** Why an `environment` entry looks like a secret; never quotes the value. */
export function secretEnvironment(c: Container): { name: string; why: string }[] {
  const env = Array.isArray(c.def.environment) ? c.def.environment : [];
  const out: { name: string; why: string }[] = [];
  for (const e of env) {
    if (!isObj(e) || typeof e.name !== "string") continue;
    const value = typeof e.value === "string" ? e.value : "";
    const kind = secretKindOfName(e.name);
    const url = redisUrls(value).find((u) => u.password !== "");
    const inValue = secretInValue(value);
    if (kind !== undefined && value !== "") {
      out.push({
        name: e.name,
        why: `its name marks a ${kind === "password" ? "password" : "secret"}`,
      });
    } else if (url !== undefined) {
      out.push({
        name: e.name,
        why: `it holds a Redis URL with a password (${redactUrl(url.url)})`,
      });
    } else if (inValue !== undefined) {
      out.push({ name: e.name, why: `its value holds ${inValue}` });
    }
  }
  return out;
}

/** root by name or uid 0, with or without a group (`root`, `0`, `0:0`, `root:root`). */
export function isRootUser(user: string): boolean {
  const u = user.trim().split(":")[0] ?? "";
  return u === "" || u === "root" || /^0+$/.test(u);
}

/** Why a container is not hardened: root, privileged, no logs, writable root filesystem. */
export function hardeningProblems(c: Container): string[] {
  const d = c.def;
  const out: string[] = [];
  if (typeof d.user !== "string" || isRootUser(d.user)) {
    out.push(
      d.user === undefined
        ? '`user` is unset, so it runs as the image\'s user (root unless the image says otherwise). Fix: set `user` to a non-root uid such as "1000"'
        : `\`user\` is ${JSON.stringify(d.user)} (root). Fix: set a non-root uid such as "1000"`,
    );
  }
  if (d.privileged === true) {
    out.push("`privileged` is true (root on the host's devices). Fix: remove it");
  }
  const log = d.logConfiguration;
  if (!isObj(log) || typeof log.logDriver !== "string") {
    out.push(
      'has no `logConfiguration`, so its output is lost. Fix: set `logConfiguration: { logDriver: "awslogs", options: { … } }`',
    );
  }
  if (d.readonlyRootFilesystem !== true) {
    out.push(
      "`readonlyRootFilesystem` is not true. Fix: set it true and mount a writable volume where the app writes (e.g. /tmp)",
    );
  }
  return out;
}
