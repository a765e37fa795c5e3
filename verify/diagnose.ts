/**
 * `npm run verify`'s container check: when a container of the stack is not healthy, what Docker
 * knows about why, namely its State, its last health-probe outputs (`State.Health.Log`) and the
 * tail of its logs, with every secret masked. The containers are found on the engine the stack
 * targets, by the label every component sets (components/types.ts stackLabels) and by the names
 * the stack exports.
 */
import Docker from "dockerode";
import { dockerOptions } from "./engine";
import { maskPatterns, maskSecrets } from "./mask";
import type { CheckResult } from "./target";

export const STACK_LABEL = "com.api-stack.stack";
export const ROLE_LABEL = "com.api-stack.role";
/** Lines of `docker logs --tail` shown per unhealthy container. */
export const LOG_TAIL_LINES = 30;

/** What verify reads of `GET /containers/{id}/json`; docker's field names, nanosecond durations. */
export interface InspectLike {
  readonly Id: string;
  readonly Name: string;
  readonly RestartCount?: number;
  readonly State: {
    readonly Status: string;
    readonly ExitCode: number;
    readonly OOMKilled: boolean;
    readonly Error: string;
    readonly StartedAt: string;
    readonly Health?: {
      readonly Status: string;
      readonly FailingStreak?: number;
      readonly Log?: readonly {
        readonly Start: string;
        readonly ExitCode: number;
        readonly Output: string;
      }[];
    };
  };
  readonly Config: {
    readonly Tty?: boolean;
    readonly Labels?: Record<string, string> | null;
    readonly Healthcheck?: { readonly StartPeriod?: number; readonly Interval?: number };
  };
}

/** The engine calls the check makes; {@link engineSource} adapts dockerode. */
export interface ContainerSource {
  /** Ids of every container, running or not, carrying `label=value`. */
  idsByLabel(label: string, value: string): Promise<string[]>;
  /** Undefined when no container has that id or name. */
  inspect(idOrName: string): Promise<InspectLike | undefined>;
  /** The last `lines` lines of stdout and stderr, demultiplexed. */
  logTail(id: string, lines: number, tty: boolean): Promise<string>;
}

export interface ContainerDiagnosis {
  readonly name: string;
  readonly role?: string;
  /** Why it counts as not healthy. */
  readonly reason: string;
  readonly state: {
    readonly status: string;
    readonly health?: string;
    readonly exitCode: number;
    readonly oomKilled: boolean;
    readonly restartCount: number;
    readonly error: string;
  };
  /** Docker keeps the last 5 probes, oldest first. */
  readonly healthLog: {
    readonly start: string;
    readonly exitCode: number;
    readonly output: string;
  }[];
  readonly logTail: string[];
}

export interface Diagnostics {
  readonly dockerHost: string;
  /** Names of the containers looked at. */
  readonly checked: string[];
  readonly unhealthy: ContainerDiagnosis[];
}

const NS_PER_MS = 1_000_000;

/**
 * Why a container is not healthy, or undefined when it is. `starting` counts once its start
 * period and one interval have passed: the probe that ends the start period needs that long to
 * land, and a container without a start period is `starting` until its first probe.
 */
export function unhealthyReason(c: InspectLike, now = Date.now()): string | undefined {
  const s = c.State;
  if (s.Status !== "running") return `status ${s.Status}`;
  const health = s.Health?.Status;
  if (health === "unhealthy")
    return `unhealthy (${s.Health?.FailingStreak ?? "?"} failed probes in a row)`;
  if (health === "starting") {
    const hc = c.Config.Healthcheck ?? {};
    const graceMs = ((hc.StartPeriod ?? 0) + (hc.Interval || 30_000 * NS_PER_MS)) / NS_PER_MS;
    const upMs = now - Date.parse(s.StartedAt);
    if (upMs > graceMs)
      return `still starting ${Math.round(upMs / 1_000)}s after start (start period + interval: ${Math.round(graceMs / 1_000)}s)`;
  }
  return undefined;
}

/** `docker logs` of a container without a TTY: frames of [stream, 0, 0, 0, size (BE)] + bytes. */
export function demuxLogs(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length && buf[i + 1] === 0 && buf[i + 2] === 0 && buf[i + 3] === 0) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return i === 0 ? buf.toString("utf8") : Buffer.concat(parts).toString("utf8");
}

/**
 * What dockerode's non-streaming `logs()` resolved to, as text. docker-modem parses a body that
 * is JSON before it falls back to the Buffer (docker-modem 5.0.7 lib/modem.js:350, the response's
 * end handler: `utils.parseJSON(result) || buffer`), so a TTY container whose tail is one JSON
 * line or a bare number arrives as an object or a number; framed (non-TTY) output never parses.
 */
export function logsText(body: unknown, tty: boolean): string {
  if (Buffer.isBuffer(body)) return tty ? body.toString("utf8") : demuxLogs(body);
  return typeof body === "string" ? body : JSON.stringify(body);
}

export function engineSource(docker: Docker): ContainerSource {
  return {
    async idsByLabel(label, value) {
      const list = await docker.listContainers({
        all: true,
        filters: JSON.stringify({ label: [`${label}=${value}`] }),
      });
      return list.map((c) => c.Id);
    },
    async inspect(idOrName) {
      try {
        return (await docker.getContainer(idOrName).inspect()) as unknown as InspectLike;
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode === 404) return undefined;
        throw e;
      }
    },
    async logTail(id, lines, tty) {
      const body: unknown = await docker
        .getContainer(id)
        .logs({ stdout: true, stderr: true, tail: lines, follow: false });
      return logsText(body, tty);
    },
  };
}

export interface DiagnoseOptions {
  /** The stack's name, for the label; unknown when the outputs came from a file. */
  readonly stack?: string;
  /** Container names from the outputs. */
  readonly names: readonly string[];
  /** Values to mask, e.g. everything secret in the outputs. */
  readonly secrets: readonly string[];
  readonly dockerHost: string;
  readonly now?: number;
}

/** Inspects the stack's containers and, for each one that is not healthy, reads why. */
export async function diagnose(src: ContainerSource, o: DiagnoseOptions): Promise<Diagnostics> {
  const mask = (s: string) => maskPatterns(maskSecrets(s, o.secrets));
  const ids = o.stack === undefined ? [] : await src.idsByLabel(STACK_LABEL, o.stack);
  const seen = new Map<string, InspectLike>();
  const missing: string[] = [];
  for (const ref of [...ids, ...o.names]) {
    const c = await src.inspect(ref);
    if (c === undefined) missing.push(ref);
    else seen.set(c.Id, c);
  }
  const unhealthy: ContainerDiagnosis[] = missing.map((name) => ({
    name,
    reason: "named in the stack outputs but no such container",
    state: { status: "missing", exitCode: 0, oomKilled: false, restartCount: 0, error: "" },
    healthLog: [],
    logTail: [],
  }));
  for (const c of seen.values()) {
    const reason = unhealthyReason(c, o.now);
    if (reason === undefined) continue;
    const logs = await src
      .logTail(c.Id, LOG_TAIL_LINES, c.Config.Tty === true)
      .catch((e: Error) => `(could not read the logs: ${e.message})`);
    unhealthy.push({
      name: c.Name.replace(/^\//, ""),
      role: c.Config.Labels?.[ROLE_LABEL],
      reason,
      state: {
        status: c.State.Status,
        health: c.State.Health?.Status,
        exitCode: c.State.ExitCode,
        oomKilled: c.State.OOMKilled,
        restartCount: c.RestartCount ?? 0,
        error: mask(c.State.Error),
      },
      healthLog: (c.State.Health?.Log ?? []).map((p) => ({
        start: p.Start,
        exitCode: p.ExitCode,
        output: mask(p.Output.trimEnd()),
      })),
      logTail: logs
        .replace(/\n$/, "")
        .split("\n")
        .filter((l, i, all) => l !== "" || i < all.length - 1)
        .map(mask),
    });
  }
  return {
    dockerHost: o.dockerHost,
    checked: [...[...seen.values()].map((c) => c.Name.replace(/^\//, "")), ...missing].sort(),
    unhealthy,
  };
}

/** The `containers` row of the table. */
export function containersCheck(d: Diagnostics, ms: number): CheckResult {
  const check = "containers";
  if (d.checked.length === 0)
    return {
      check,
      status: "skip",
      detail: `no container of the stack on ${d.dockerHost} (pass --stack, or outputs naming them)`,
      ms,
    };
  if (d.unhealthy.length === 0)
    return { check, status: "pass", detail: `${d.checked.length} running and healthy`, ms };
  const names = d.unhealthy.map((u) => `${u.name}: ${u.reason}`).join("; ");
  return {
    check,
    status: "fail",
    detail: `${d.unhealthy.length} of ${d.checked.length} not healthy: ${names}`,
    ms,
  };
}

/** The diagnostics block printed above the table. */
export function formatDiagnostics(d: Diagnostics): string {
  const out: string[] = [];
  for (const u of d.unhealthy) {
    const s = u.state;
    out.push(`── ${u.name}${u.role === undefined ? "" : ` (${u.role})`}: ${u.reason}`);
    out.push(
      `   state: Status=${s.status}${s.health === undefined ? "" : ` Health=${s.health}`} ExitCode=${s.exitCode} OOMKilled=${s.oomKilled} RestartCount=${s.restartCount}${s.error === "" ? "" : ` Error=${s.error}`}`,
    );
    if (u.healthLog.length > 0) {
      out.push(`   last ${u.healthLog.length} health probes:`);
      for (const p of u.healthLog) {
        const lines = p.output === "" ? ["(no output)"] : p.output.split("\n");
        out.push(`     ${p.start}  exit ${p.exitCode}  ${lines[0]}`);
        for (const l of lines.slice(1)) out.push(`       ${l}`);
      }
    }
    if (s.status !== "missing") {
      out.push(`   last ${LOG_TAIL_LINES} log lines (stdout+stderr):`);
      out.push(...(u.logTail.length === 0 ? ["     (empty)"] : u.logTail.map((l) => `     ${l}`)));
    }
    out.push("");
  }
  return out.join("\n");
}

/** Runs {@link diagnose} against `host`; an engine that does not answer skips the check. */
export async function checkContainers(
  host: string | undefined,
  o: Omit<DiagnoseOptions, "dockerHost">,
): Promise<{ check: CheckResult; diagnostics?: Diagnostics }> {
  const where = host ?? "unix:///var/run/docker.sock";
  const started = performance.now();
  try {
    const docker = new Docker({ ...dockerOptions(host), timeout: 15_000 });
    await docker.ping();
    const d = await diagnose(engineSource(docker), { ...o, dockerHost: where });
    return { check: containersCheck(d, Math.round(performance.now() - started)), diagnostics: d };
  } catch (e) {
    const why = (e as Error).message.split("\n")[0];
    const how = where.startsWith("ssh:")
      ? "verify reaches an ssh:// DOCKER_HOST through your ssh-agent; without one, tunnel the socket (ssh -NL /tmp/remote-docker.sock:/var/run/docker.sock deploy@host) and pass --docker-host unix:///tmp/remote-docker.sock, or use the endpoint of a working `docker context`"
      : "pass --docker-host or set DOCKER_HOST to the engine the stack targets";
    return {
      check: {
        check: "containers",
        status: "skip",
        detail: `no Docker engine answered at ${where} (${why}): ${how}`,
        ms: null,
      },
    };
  }
}
