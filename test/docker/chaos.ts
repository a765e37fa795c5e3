/**
 * Faults as a test (issue 26): prod as committed on the private engine, traffic through the
 * edge over HTTPS (chaos-traffic.ts), and one fault at a time from a mix, each followed by the
 * wait until every container is healthy again. The run reports a table per fault kind and
 * then checks the invariants that must hold whatever the figures are:
 *   - every acknowledged counter increment is present, none acknowledged twice;
 *   - every acknowledged job was processed exactly once, and no retry created a second job;
 *   - no request was answered 500;
 *   - no container is left unhealthy;
 *   - Redis holds the same data across a final SIGKILL.
 * `npm run chaos` runs the long mix (scripts/chaos.ts); CI runs one short cycle of each kind
 * (chaos.test.ts). Faults are made the way the world makes them: SIGKILL and SIGSTOP to the
 * container's process from the host (the kernel's OOM killer, a hung VM), `docker restart`,
 * a network endpoint removed, Redis filled by writes.
 */
import type Docker from "dockerode";
import { admin } from "../../backup/restore";
import { promiseOf } from "../helpers/program";
import type { Deployment } from "./harness";
import {
  failed,
  failureCodes,
  longestOutage,
  median,
  REQUEST_KINDS,
  startTraffic,
  type Attempt,
  type RequestKind,
  type TrafficResult,
} from "./chaos-traffic";

export const FAULT_KINDS = [
  "kill-api",
  "kill-worker",
  "kill-redis",
  "restart-edge",
  "stop-api",
  "fill-redis",
  "redis-full",
  "worker-stuck",
  "edge-dns",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ChaosOptions {
  /** Faults are started until this much time has passed (the last one still completes). */
  readonly durationMs: number;
  /** One fault every this often; a fault whose recovery runs over starts the next one late. */
  readonly everyMs: number;
  /** Steady traffic after the last recovery before a fault may start (short cycles). */
  readonly settleMs: number;
  readonly rate: number;
  readonly faults: readonly FaultKind[];
  /** How long a replica stays SIGSTOPped. */
  readonly stopMs: number;
  /** How long Redis stays full, or a replica off the edge's network. */
  readonly holdMs: number;
  /** The workers' JOB_LEASE_MS: a worker-stuck fault lasts this plus 3 s. */
  readonly leaseMs: number;
  readonly log: (line: string) => void;
}

export interface FaultRecord {
  readonly kind: FaultKind;
  readonly target: string;
  /** Epoch ms: the fault began, and every container was healthy again after it. */
  readonly at: number;
  readonly healthyAt: number;
  /** Containers whose StartedAt changed: restarts by policy, or `docker restart`. */
  readonly restarts: number;
  readonly note: string;
  /** The containers the wait for "all healthy" found not healthy, with their last probe output. */
  readonly waitedOn: readonly string[];
  /** kill-redis: from the kill to "Ready to accept connections", and the AOF load time. */
  readonly redisDownMs?: number;
  readonly redisLoadS?: number;
}

export interface Invariant {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface ChaosResult {
  readonly faults: readonly FaultRecord[];
  readonly traffic: TrafficResult;
  readonly invariants: readonly Invariant[];
  readonly startedAt: number;
  readonly endedAt: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ctx {
  readonly docker: Docker;
  readonly d: Deployment;
  readonly o: ChaosOptions;
  readonly adminPassword: string;
  readonly redis: string;
  readonly edge: string;
  readonly api: readonly string[];
  readonly workers: readonly string[];
  /** Every container of the deployment. */
  readonly all: readonly string[];
}

const inspect = (c: Ctx, name: string) => c.docker.getContainer(name).inspect();

/** redis-cli as the admin user inside the Redis container (password on stdin). */
async function redisAdmin(c: Ctx, args: string[]): Promise<string> {
  return (await admin(c.docker, c.redis, "redis", c.adminPassword, args)).trim();
}

async function startTimes(c: Ctx): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  for (const n of c.all) m.set(n, (await inspect(c, n)).State.StartedAt);
  return m;
}

/**
 * Until every container runs and reports healthy, and each of `restarted` has started again
 * after `since` (right after a SIGKILL, Docker still shows the old "healthy" for a moment).
 * Resolves with when that was, and what it waited on: per container, its last state and probe.
 */
async function allHealthy(
  c: Ctx,
  since: number,
  restarted: readonly string[] = [],
  ms = 180_000,
): Promise<{ at: number; waitedOn: string[] }> {
  const end = Date.now() + ms;
  const waitedOn = new Map<string, string>();
  let last = "";
  while (Date.now() < end) {
    let ok = true;
    for (const n of c.all) {
      const s = (await inspect(c, n)).State;
      const fresh = !restarted.includes(n) || Date.parse(s.StartedAt) >= since - 1_000;
      if (!s.Running || s.Health?.Status !== "healthy" || !fresh) {
        ok = false;
        const probe = s.Health?.Log?.at(-1)?.Output?.trim().slice(0, 160) ?? "";
        last = `${n}: ${s.Status}/${s.Health?.Status ?? "no health"}${probe ? ` (${probe})` : ""}`;
        waitedOn.set(n, last);
        break;
      }
    }
    if (ok) return { at: Date.now(), waitedOn: [...waitedOn.values()] };
    await sleep(200);
  }
  throw new Error(`not every container was healthy ${ms / 1000} s after a fault (${last})`);
}

/** The container's log lines since `since` (epoch ms), with Docker's timestamps. */
async function logsSince(c: Ctx, name: string, since: number): Promise<string[]> {
  const buf = (await c.docker.getContainer(name).logs({
    stdout: true,
    stderr: true,
    timestamps: true,
    since: Math.floor(since / 1_000),
  })) as unknown as Buffer;
  const lines: string[] = [];
  // Multiplexed: an 8-byte header (stream, 0, 0, 0, length) before each frame.
  for (let i = 0; i + 8 <= buf.length;) {
    const len = buf.readUInt32BE(i + 4);
    lines.push(
      ...buf
        .subarray(i + 8, i + 8 + len)
        .toString("utf8")
        .split("\n"),
    );
    i += 8 + len;
  }
  return lines.filter((l) => l.length > 0);
}

const kill = (pid: number, signal: NodeJS.Signals) => process.kill(pid, signal);
const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;

/**
 * Fills Redis with `chaos:fill:*` strings until used_memory reaches `target` bytes or a write
 * is refused (maxmemory with noeviction). Each EVAL adds at most 32 MB, so Redis never blocks
 * for long; the values reach the AOF as the script's SETs.
 */
const FILL = `
local prefix, size, target, budget = ARGV[1] .. ARGV[5] .. ':', tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local used = tonumber(string.match(redis.call('INFO', 'memory'), 'used_memory:(%d+)'))
local value = string.rep('x', size)
local n = 0
while used < target and n * size < budget do
  local ok = redis.pcall('SET', prefix .. n, value)
  if type(ok) == 'table' and ok.err then return {n, used, ok.err} end
  n = n + 1
  used = tonumber(string.match(redis.call('INFO', 'memory'), 'used_memory:(%d+)'))
end
return {n, used, ''}`;

const UNFILL = `
local keys = redis.call('KEYS', ARGV[1] .. '*')
for i = 1, #keys, 500 do redis.call('UNLINK', unpack(keys, i, math.min(i + 499, #keys))) end
return #keys`;

/** A digest of every key's serialized value and whether it expires: equal data, equal digest. */
const DIGEST = `
local keys = redis.call('KEYS', '*')
table.sort(keys)
local parts = {}
for _, k in ipairs(keys) do
  parts[#parts + 1] = k
  parts[#parts + 1] = redis.call('DUMP', k)
  parts[#parts + 1] = redis.call('PTTL', k) > 0 and 'ttl' or 'none'
end
return {#keys, redis.sha1hex(table.concat(parts, '\\0'))}`;

async function memory(c: Ctx): Promise<{ used: number; max: number }> {
  const info = await redisAdmin(c, ["INFO", "memory"]);
  const num = (k: string) => Number(new RegExp(`^${k}:(\\d+)`, "m").exec(info)?.[1]);
  return { used: num("used_memory"), max: num("maxmemory") };
}

async function fill(c: Ctx, fraction: number): Promise<string> {
  const { max } = await memory(c);
  const target = Math.floor(max * fraction);
  let last = "";
  for (let i = 0; i < 200; i++) {
    const out = (
      await redisAdmin(c, [
        "EVAL",
        FILL,
        "0",
        "chaos:fill:",
        String(256 * 1024),
        String(target),
        String(32 * 1024 * 1024),
        `${Date.now()}-${i}`,
      ])
    ).split("\n");
    // A refused EVAL (Redis is already past maxmemory) prints the error instead of the array.
    const refusedOutright = !/^\d+$/.test(out[0] ?? "");
    const [n, used, err] = refusedOutright
      ? [0, (await memory(c)).used, out.join(" ")]
      : [Number(out[0]), Number(out[1]), out[2] ?? ""];
    last = `${((used / max) * 100).toFixed(1)} % of maxmemory${err ? `, then refused: ${err.split(" ").slice(0, 4).join(" ")}` : ""}`;
    if (err || used >= target || n === 0) break;
  }
  return last;
}

async function unfill(c: Ctx): Promise<void> {
  await redisAdmin(c, ["EVAL", UNFILL, "0", "chaos:fill:"]);
}

/** Fills Redis to `fraction` of maxmemory, holds it there for `holdMs`, then empties the fill. */
async function fillAndHold(c: Ctx, fraction: number): Promise<string> {
  const reached = await fill(c, fraction);
  try {
    await sleep(c.o.holdMs);
  } finally {
    await unfill(c);
  }
  return `filled to ${reached}; held ${c.o.holdMs / 1000} s`;
}

/** What a fault reports: its target, a note, and the containers it restarts on purpose. */
interface FaultOutcome extends Pick<FaultRecord, "target" | "note" | "redisDownMs" | "redisLoadS"> {
  readonly restarted?: string[];
}

type Fault = (c: Ctx, i: number) => Promise<FaultOutcome>;

const FAULTS: Record<FaultKind, Fault> = {
  "kill-api": async (c, i) => {
    const target = pick(c.api, i);
    kill((await inspect(c, target)).State.Pid, "SIGKILL");
    return { target, note: "SIGKILL", restarted: [target] };
  },
  "kill-worker": async (c, i) => {
    const target = pick(c.workers, i);
    kill((await inspect(c, target)).State.Pid, "SIGKILL");
    return { target, note: "SIGKILL", restarted: [target] };
  },
  "kill-redis": async (c) => {
    const at = Date.now();
    kill((await inspect(c, c.redis)).State.Pid, "SIGKILL");
    // The server's own account: when it was ready again, and how long the AOF took to load.
    let ready: number | undefined;
    let load: number | undefined;
    for (const end = Date.now() + 120_000; ready === undefined && Date.now() < end;) {
      await sleep(100);
      for (const line of await logsSince(c, c.redis, at).catch(() => [])) {
        const ts = Date.parse(line.slice(0, line.indexOf(" ")));
        if (ts < at) continue;
        const l = /DB loaded from append only file: ([\d.]+) seconds/.exec(line);
        if (l) load = Number(l[1]);
        if (/Ready to accept connections/.test(line)) ready = ts;
      }
    }
    return {
      target: c.redis,
      note: "SIGKILL",
      restarted: [c.redis],
      redisDownMs: ready === undefined ? undefined : ready - at,
      redisLoadS: load,
    };
  },
  "restart-edge": async (c) => {
    await c.docker.getContainer(c.edge).restart();
    return { target: c.edge, note: "docker restart", restarted: [c.edge] };
  },
  "stop-api": async (c, i) => {
    const target = pick(c.api, i);
    const pid = (await inspect(c, target)).State.Pid;
    kill(pid, "SIGSTOP");
    try {
      await sleep(c.o.stopMs);
    } finally {
      kill(pid, "SIGCONT");
    }
    return { target, note: `SIGSTOP for ${c.o.stopMs / 1000} s` };
  },
  "fill-redis": async (c) => ({ target: c.redis, note: await fillAndHold(c, 0.997) }),
  "redis-full": async (c) => ({ target: c.redis, note: await fillAndHold(c, 1.05) }),
  "worker-stuck": async (c, i) => {
    // A worker with a job in hand (its own processing list is not empty), frozen past its lease.
    let target = pick(c.workers, i);
    for (const end = Date.now() + 10_000; Date.now() < end;) {
      const holding = [];
      for (const w of c.workers) {
        const host = (await inspect(c, w)).Config.Hostname;
        if (Number(await redisAdmin(c, ["LLEN", `jobs:processing:${host}`])) > 0) holding.push(w);
      }
      if (holding.length > 0) {
        target = holding[0]!;
        break;
      }
      await sleep(50);
    }
    const pid = (await inspect(c, target)).State.Pid;
    const hold = c.o.leaseMs + 3_000;
    kill(pid, "SIGSTOP");
    try {
      await sleep(hold);
    } finally {
      kill(pid, "SIGCONT");
    }
    return { target, note: `SIGSTOP mid-job for ${hold / 1000} s (lease ${c.o.leaseMs / 1000} s)` };
  },
  "edge-dns": async (c, i) => {
    // The replica leaves the network it shares with the edge, so Docker's DNS stops answering
    // for it there, and comes back with the same aliases.
    const target = pick(c.api, i);
    const edgeNets = Object.keys((await inspect(c, c.edge)).NetworkSettings.Networks);
    const mine = (await inspect(c, target)).NetworkSettings.Networks;
    const net = Object.keys(mine).find((n) => edgeNets.includes(n));
    if (net === undefined) throw new Error(`${target} shares no network with the edge`);
    const aliases = mine[net]!.Aliases ?? [];
    await c.docker.getNetwork(net).disconnect({ Container: target });
    try {
      await sleep(c.o.holdMs);
    } finally {
      await c.docker
        .getNetwork(net)
        .connect({ Container: target, EndpointConfig: { Aliases: aliases } });
    }
    return { target, note: `off ${net} for ${c.o.holdMs / 1000} s` };
  },
};

export async function prepareChaos(docker: Docker, d: Deployment, o: ChaosOptions): Promise<Ctx> {
  const out = d.run.outputs as Record<string, unknown>;
  const url = new URL(String(await promiseOf(out.redisAdminUrl as never)));
  const names = (re: RegExp) => d.applier.physicalNames(re);
  const containers = new Set(
    (await docker.listContainers({ all: true })).map((x) => x.Names[0]!.slice(1)),
  );
  const all = names(/./).filter((n) => containers.has(n));
  return {
    docker,
    d,
    o,
    adminPassword: decodeURIComponent(url.password),
    redis: names(/^cache-server$/)[0]!,
    edge: names(/^edge-proxy$/)[0]!,
    api: names(/^api-server(-\d+)?$/),
    workers: names(/^jobs-worker(-\d+)?$/),
    all,
  };
}

export async function runChaos(c: Ctx): Promise<ChaosResult> {
  const { o } = c;
  const startedAt = Date.now();
  await allHealthy(c, startedAt);
  const before = await processedTotal(c);
  const traffic = startTraffic({ base: c.d.apiBase, ca: c.d.edgeCa, rate: o.rate });
  const faults: FaultRecord[] = [];
  let result: TrafficResult;
  try {
    await sleep(o.settleMs);
    let next = Date.now();
    // Every kind at least once, then on until the duration has passed.
    for (let i = 0; i < o.faults.length || Date.now() - startedAt < o.durationMs; i++) {
      await sleep(Math.max(0, next - Date.now()));
      const kind = o.faults[i % o.faults.length]!;
      const starts = await startTimes(c);
      const at = Date.now();
      const r = await FAULTS[kind](c, Math.floor(i / o.faults.length));
      const { at: healthyAt, waitedOn } = await allHealthy(c, at, r.restarted ?? []);
      const after = await startTimes(c);
      const restarts = c.all.filter((n) => after.get(n) !== starts.get(n)).length;
      const rec: FaultRecord = {
        kind,
        target: r.target,
        note: r.note,
        redisDownMs: r.redisDownMs,
        redisLoadS: r.redisLoadS,
        at,
        healthyAt,
        restarts,
        waitedOn,
      };
      faults.push(rec);
      o.log(
        `[chaos] ${kind} on ${rec.target} (${rec.note}): all healthy ${((healthyAt - at) / 1000).toFixed(1)} s after` +
          (rec.redisDownMs !== undefined
            ? `; Redis down ${(rec.redisDownMs / 1000).toFixed(2)} s, AOF load ${rec.redisLoadS ?? "?"} s`
            : "") +
          (rec.waitedOn.length > 0 ? `; waited on ${rec.waitedOn.join("; ")}` : ""),
      );
      next = Math.max(at + o.everyMs, healthyAt + o.settleMs);
    }
    await sleep(o.settleMs);
  } finally {
    result = await traffic.stop();
  }
  const invariants = await checkInvariants(c, result, before);
  return { faults, traffic: result, invariants, startedAt, endedAt: Date.now() };
}

async function processedTotal(c: Ctx): Promise<number> {
  return Number((await redisAdmin(c, ["GET", "jobs:processed:total"])) || 0);
}

async function checkInvariants(c: Ctx, t: TrafficResult, before: number): Promise<Invariant[]> {
  const out: Invariant[] = [];
  // Drain: every accepted job leaves the queue and the processing lists.
  const lists = async () => {
    const keys = (await redisAdmin(c, ["--scan", "--pattern", "jobs:processing:*"]))
      .split("\n")
      .filter(Boolean);
    let held = 0;
    for (const k of keys) held += Number(await redisAdmin(c, ["LLEN", k]));
    return (
      Number(await redisAdmin(c, ["LLEN", "jobs:queue"])) +
      held +
      Number(await redisAdmin(c, ["LLEN", "jobs:http:processing"]))
    );
  };
  let left = await lists();
  for (const end = Date.now() + 120_000; left > 0 && Date.now() < end; left = await lists())
    await sleep(500);

  const acks = t.counterAcks;
  const final = Number((await redisAdmin(c, ["GET", "counter"])) || 0);
  const distinct = new Set(acks).size;
  const maxAck = acks.length > 0 ? Math.max(...acks) : 0;
  out.push({
    name: "every acknowledged increment is present",
    ok: distinct === acks.length && final >= maxAck,
    detail: `${acks.length} acknowledged, ${distinct} distinct values, the highest ${maxAck}; counter now ${final}`,
  });

  const accepted = t.jobs.filter((j) => j.accepted);
  const ids = [...new Set(accepted.flatMap((j) => j.ids))];
  let counts: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500).map((id) => `jobs:processed:${id}`);
    if (chunk.length > 0)
      counts = counts.concat((await redisAdmin(c, ["MGET", ...chunk])).split("\n"));
  }
  const notOnce = counts.filter((x: string) => x !== "1").length;
  out.push({
    name: "every acknowledged job was processed exactly once",
    ok: counts.length === ids.length && notOnce === 0 && left === 0,
    detail: `${ids.length} accepted jobs, ${notOnce} not processed exactly once, ${left} still queued or held`,
  });

  const total = (await processedTotal(c)) - before;
  const unaccepted = t.jobs.length - accepted.length;
  const extra = total - ids.length;
  const twoIds = accepted.filter((j) => new Set(j.ids).size > 1).length;
  out.push({
    name: "no retry created a second job",
    ok: extra <= unaccepted && twoIds === 0,
    detail:
      `${t.jobs.length} jobs sent (${t.jobs.reduce((s, j) => s + j.attempts - 1, 0)} retries), ${accepted.length} accepted, ` +
      `${unaccepted} given up, ${twoIds} given a second id when sent again; ` +
      `${total} processed, ${Math.max(0, extra - unaccepted)} more than could exist`,
  });

  const fives = t.attempts.filter((a) => a.status === 500).length;
  out.push({
    name: "no request was answered 500",
    ok: fives === 0,
    detail: `${fives} answered 500`,
  });

  let healthy = true;
  let why = "every container healthy";
  try {
    await allHealthy(c, 0, [], 120_000);
  } catch (e) {
    healthy = false;
    why = (e as Error).message;
  }
  out.push({ name: "no container is left unhealthy", ok: healthy, detail: why });

  const digest = async () => (await redisAdmin(c, ["EVAL", DIGEST, "0"])).split("\n").join(" ");
  const d1 = await digest();
  const at = Date.now();
  kill((await inspect(c, c.redis)).State.Pid, "SIGKILL");
  await allHealthy(c, at, [c.redis]);
  const d2 = await digest();
  out.push({
    name: "Redis holds the same data across a final SIGKILL",
    ok: d1 === d2,
    detail: `keys and SHA-1 before ${d1}, after ${d2}`,
  });
  return out;
}

/** Attempts sent from `from` until `to` (epoch ms). */
const between = (t: TrafficResult, from: number, to: number) =>
  t.attempts.filter((a) => a.at >= from && a.at < to);

export interface KindRow {
  readonly kind: FaultKind;
  readonly count: number;
  readonly sent: number;
  readonly failedByKind: Record<RequestKind, number>;
  readonly longestOutageMs: number;
  readonly healthyAfterMs: number;
  readonly restarts: number;
}

export function windows(r: ChaosResult): { fault: FaultRecord; attempts: Attempt[] }[] {
  return r.faults.map((f, i) => ({
    fault: f,
    attempts: between(r.traffic, f.at, r.faults[i + 1]?.at ?? r.endedAt),
  }));
}

export function rows(r: ChaosResult): KindRow[] {
  const out = new Map<FaultKind, KindRow>();
  for (const { fault, attempts } of windows(r)) {
    const row = out.get(fault.kind) ?? {
      kind: fault.kind,
      count: 0,
      sent: 0,
      failedByKind: Object.fromEntries(REQUEST_KINDS.map((k) => [k, 0])) as Record<
        RequestKind,
        number
      >,
      longestOutageMs: 0,
      healthyAfterMs: 0,
      restarts: 0,
    };
    const failedByKind = { ...row.failedByKind };
    for (const a of attempts.filter(failed)) failedByKind[a.kind]++;
    out.set(fault.kind, {
      ...row,
      count: row.count + 1,
      sent: row.sent + attempts.length,
      failedByKind,
      longestOutageMs: Math.max(row.longestOutageMs, longestOutage(attempts)),
      healthyAfterMs: Math.max(row.healthyAfterMs, fault.healthyAt - fault.at),
      restarts: row.restarts + fault.restarts,
    });
  }
  return [...out.values()];
}

/** Figures for the three weaknesses of issue 26, from the kill-redis windows. */
export function redisKillFigures(r: ChaosResult): {
  readonly kills: number;
  readonly failMsJobs: number;
  readonly failMsCounter: number;
  /** The slowest answer of each kind while Redis was away: a queued enqueue shows here. */
  readonly slowestJobsMs: number;
  readonly slowestCounterMs: number;
  readonly worst: {
    downMs: number;
    /** From the kill until the last failed request had its answer, and until it was sent. */
    failingMs: number;
    lastSentMs: number;
    codes: Record<string, number>;
    loadS?: number;
  }[];
} {
  const ws = windows(r).filter((w) => w.fault.kind === "kill-redis");
  const failMs = (k: RequestKind) =>
    median(ws.flatMap((w) => w.attempts.filter((a) => a.kind === k && failed(a)).map((a) => a.ms)));
  const slowest = (k: RequestKind) =>
    Math.max(0, ...ws.flatMap((w) => w.attempts.filter((a) => a.kind === k).map((a) => a.ms)));
  return {
    kills: ws.length,
    failMsJobs: failMs("POST /jobs"),
    failMsCounter: failMs("POST /counter"),
    slowestJobsMs: slowest("POST /jobs"),
    slowestCounterMs: slowest("POST /counter"),
    worst: ws.map((w) => {
      const fails = w.attempts.filter(failed);
      const lastFail = Math.max(w.fault.at, ...fails.map((a) => a.at + a.ms));
      const lastSent = Math.max(w.fault.at, ...fails.map((a) => a.at));
      return {
        downMs: w.fault.redisDownMs ?? NaN,
        failingMs: lastFail - w.fault.at,
        lastSentMs: lastSent - w.fault.at,
        codes: failureCodes(fails),
        loadS: w.fault.redisLoadS,
      };
    }),
  };
}

const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : "–");

export function report(r: ChaosResult, o: ChaosOptions): string {
  const t = r.traffic;
  const lines = [
    `Chaos run: ${s(r.endedAt - r.startedAt)}, ${o.rate} requests/s (mix: ${REQUEST_KINDS.join(", ")}), ` +
      `${r.faults.length} faults; ${t.attempts.length} requests, ${t.attempts.filter(failed).length} failed ` +
      `(${JSON.stringify(failureCodes(t.attempts))}).`,
    "",
    "| fault | count | requests in its windows | failed: GET /counter | POST /counter | POST /jobs | longest outage | all healthy after (max) | restarts |",
    "| --- | --: | --: | --: | --: | --: | --: | --: | --: |",
    ...rows(r).map(
      (x) =>
        `| ${x.kind} | ${x.count} | ${x.sent} | ${x.failedByKind["GET /counter"]} | ${x.failedByKind["POST /counter"]} | ` +
        `${x.failedByKind["POST /jobs"]} | ${s(x.longestOutageMs)} | ${s(x.healthyAfterMs)} | ${x.restarts} |`,
    ),
    "",
  ];
  const k = redisKillFigures(r);
  if (k.kills > 0) {
    lines.push(
      `Redis kills: a failed POST /jobs took ${s(k.failMsJobs)} (median), a failed POST /counter ${s(k.failMsCounter)}; ` +
        `the slowest POST /jobs ${s(k.slowestJobsMs)}, the slowest POST /counter ${s(k.slowestCounterMs)}.`,
      "",
      "| Redis kill | down (kill → ready) | AOF load | last failure sent | last failure answered | answered − down | failures |",
      "| --: | --: | --: | --: | --: | --: | --- |",
      ...k.worst.map(
        (w, i) =>
          `| ${i + 1} | ${s(w.downMs)} | ${w.loadS === undefined ? "–" : `${w.loadS} s`} | ${s(w.lastSentMs)} | ${s(w.failingMs)} | ` +
          `${s(w.failingMs - w.downMs)} | ${JSON.stringify(w.codes)} |`,
      ),
      "",
    );
  }
  lines.push("| invariant | holds | detail |", "| --- | --- | --- |");
  for (const i of r.invariants)
    lines.push(`| ${i.name} | ${i.ok ? "yes" : "**NO**"} | ${i.detail} |`);
  lines.push("", "Faults, in order:", "");
  for (const f of r.faults)
    lines.push(
      `- +${s(f.at - r.startedAt)} ${f.kind} on ${f.target}: ${f.note}; all healthy ${s(f.healthyAt - f.at)} after` +
        (f.redisDownMs !== undefined
          ? `; Redis down ${s(f.redisDownMs)}, AOF load ${f.redisLoadS ?? "?"} s`
          : ""),
    );
  return lines.join("\n");
}

/** Every failed request around each Redis kill, on the kill's clock: for diagnosis. */
export function killTimelines(r: ChaosResult): string[] {
  return windows(r)
    .filter((w) => w.fault.kind === "kill-redis")
    .map(
      (w, i) =>
        `Redis kill ${i + 1} (ready at +${w.fault.redisDownMs ?? "?"} ms): ` +
        w.attempts
          .filter(failed)
          .map(
            (a) => `+${a.at - w.fault.at} ${a.kind} ${a.status ?? a.error} in ${Math.round(a.ms)}`,
          )
          .join(", "),
    );
}

/**
 * SIGKILLs Redis and reads, from the containers' logs, when Redis was ready again and when each
 * API replica logged "redis ready" (info level), all in ms after the kill; then waits until
 * every container is healthy.
 */
export async function redisKillReconnect(
  c: Ctx,
): Promise<{ readyMs: number; replicasMs: number[] }> {
  const at = Date.now();
  kill((await inspect(c, c.redis)).State.Pid, "SIGKILL");
  await allHealthy(c, at, [c.redis]);
  const stamp = (line: string) => Date.parse(line.slice(0, line.indexOf(" ")));
  const firstAfter = async (name: string, re: RegExp) => {
    const line = (await logsSince(c, name, at)).find((l) => stamp(l) >= at && re.test(l));
    if (line === undefined) throw new Error(`${name} logged nothing matching ${re} after the kill`);
    return stamp(line) - at;
  };
  const readyMs = await firstAfter(c.redis, /Ready to accept connections/);
  const replicasMs: number[] = [];
  for (const api of c.api) replicasMs.push(await firstAfter(api, /"msg":"redis ready"/));
  return { readyMs, replicasMs };
}
