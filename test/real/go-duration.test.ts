/**
 * Real Go against our port of `time.ParseDuration` (policy/lib/duration.ts): the Docker CLI
 * is a Go binary that parses `--health-interval` with `time.ParseDuration` (a pflag Duration)
 * before it contacts any daemon, and prints Go's own error text when parsing fails. So each
 * string is fed to `docker container create --health-interval=<s>` with DOCKER_HOST pointing at
 * a socket that does not exist: "invalid argument" means Go refused the string; "Cannot
 * connect" or "cannot be negative" means Go parsed it. Nothing reaches a Docker engine.
 *
 * Runs wherever the docker CLI is on PATH, and always in CI (which installs it for layer 5).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IN_CI, onPath } from "../layers";
import { parseGoDuration } from "../../policy/lib/duration";

const dir = mkdtempSync(join(tmpdir(), "go-duration-"));
const env = {
  PATH: process.env.PATH ?? "",
  HOME: dir,
  DOCKER_CONFIG: dir, // no user config, contexts or credential helpers
  DOCKER_HOST: `unix://${join(dir, "no-engine.sock")}`,
};

/** What Go's ParseDuration made of `s`, as the Docker CLI reports it. */
function goParse(s: string): { ok: true } | { ok: false; error: string } {
  const r = spawnSync("docker", ["container", "create", `--health-interval=${s}`, "x"], {
    env,
    encoding: "utf8",
    timeout: 20_000,
  });
  const out = `${r.stdout}${r.stderr}`;
  const m = /invalid argument .* for "--health-interval" flag: (.*)/.exec(out);
  if (m) return { ok: false, error: m[1] as string };
  if (/Cannot connect to the Docker daemon|cannot be negative/.test(out)) return { ok: true };
  throw new Error(`unexpected docker output for ${JSON.stringify(s)}: ${out}`);
}

const CASES = [
  // golang/go src/time/time_test.go parseDurationTests and parseDurationErrorTests (ASCII rows)
  ...["0", "5s", "-5s", "+5s", "-0", "+0", "5.s", ".5s", "100.00100s", "10ns", "11us"],
  ...["12µs", "12μs", "3h30m", "10.5s4m", "-2m3.4s", "1h2m3s4ms5us6ns", "0.3333333333333333333h"],
  ...["9223372036854775807ns", "9223372036854775.807us", "-9223372036854775808ns"],
  ...["-2562047h47m16.854775808s", "0.100000000000000000000h", "0.830103483285477580700h"],
  ...["", "3", "-", "s", ".", "-.", ".s", "+.s", "1d", "9223372036854775810ns"],
  ...["9223372036854775808ns", "-9223372036854775809ns", "9223372036854776us", "3000000h"],
  ...["9223372036854775.808us", "9223372036854ms775us808ns"],
  // the strings the two old copies disagreed on, and config's usual mistakes
  ...["300us", " 10s", "10s ", "60", "1m30", "30S", "5 s", "1.0005s", "2m", "1.5h", "1s.5m"],
  ...["5days"],
];

describe.skipIf(!IN_CI && !onPath("docker"))("Go's ParseDuration, run by the Docker CLI", () => {
  it.each(CASES)("%j: ours agrees with Go, error text included", (s) => {
    const ours = parseGoDuration(s);
    const go = goParse(s);
    expect(ours.ok).toBe(go.ok);
    if (!ours.ok && !go.ok) expect(ours.error).toBe(go.error);
  });
});
