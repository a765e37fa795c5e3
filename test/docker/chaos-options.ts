/**
 * The chaos run's parameters. With no CHAOS_* variable this is CI's short cycle: each fault
 * kind once, short holds, 25 requests/s. `npm run chaos` (scripts/chaos.ts) sets them for the
 * long run: six minutes, one fault every 20 s, 50 requests/s, every kind in turn.
 */
import { parseDuration } from "../../components/lib/duration";
import { FAULT_KINDS, type ChaosOptions, type FaultKind } from "./chaos";

export const SHORT_CYCLE = {
  durationMs: 0,
  everyMs: 0,
  settleMs: 3_000,
  rate: 25,
  stopMs: 5_000,
  holdMs: 5_000,
  leaseMs: 5_000,
} as const;

export const FULL_RUN = {
  durationMs: 360_000,
  everyMs: 20_000,
  settleMs: 3_000,
  rate: 50,
  stopMs: 15_000,
  holdMs: 10_000,
  leaseMs: 5_000,
} as const;

/** Reads CHAOS_* (set by scripts/chaos.ts); throws one line naming the variable and the fix. */
export function chaosOptions(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): ChaosOptions & { readonly reportFile?: string } {
  const base = env.CHAOS_FULL === "1" ? FULL_RUN : SHORT_CYCLE;
  const ms = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const v = parseDuration(raw);
    if (v === undefined)
      throw new Error(`${name}=${raw} is not a duration: write it like 6m, 20s or 1500ms`);
    return v;
  };
  const rateRaw = env.CHAOS_RATE;
  const rate = rateRaw ? Number(rateRaw) : base.rate;
  if (!Number.isFinite(rate) || rate <= 0 || rate > 500)
    throw new Error(`CHAOS_RATE=${rateRaw} must be a number of requests per second from 1 to 500`);
  const faults = (env.CHAOS_FAULTS ? env.CHAOS_FAULTS.split(",") : [...FAULT_KINDS]).map((f) =>
    f.trim(),
  );
  const unknown = faults.filter((f) => !(FAULT_KINDS as readonly string[]).includes(f));
  if (unknown.length > 0 || faults.length === 0)
    throw new Error(
      `CHAOS_FAULTS names ${unknown.join(", ") || "nothing"}: choose from ${FAULT_KINDS.join(", ")}`,
    );
  return {
    durationMs: ms("CHAOS_DURATION", base.durationMs),
    everyMs: ms("CHAOS_EVERY", base.everyMs),
    settleMs: base.settleMs,
    rate,
    faults: faults as FaultKind[],
    stopMs: ms("CHAOS_STOP", base.stopMs),
    holdMs: ms("CHAOS_HOLD", base.holdMs),
    leaseMs: base.leaseMs,
    log,
    reportFile: env.CHAOS_REPORT || undefined,
  };
}
