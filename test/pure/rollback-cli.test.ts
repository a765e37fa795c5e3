/**
 * `npm run rollback` as a user runs it (tsx scripts/rollback.ts), against a fake `pulumi` on
 * PATH that records its argv and prints the fixtures (fixtures/rollback/, shaped as the CLI's
 * source says): the exact commands, in order, and one line for every bad input.
 */
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, test } from "vitest";

const REPO = resolve(__dirname, "../..");
const TSX_CLI = join(REPO, "node_modules/tsx/dist/cli.mjs");
const FIXTURES = join(__dirname, "fixtures/rollback");
const dirs: string[] = [];

/** A `pulumi` that logs argv as JSON lines and answers `stack history` from FAKE_HISTORY. */
const FAKE = `#!${process.execPath}
const fs = require("node:fs");
const argv = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify(argv) + "\\n");
if (argv[0] === "stack" && argv[1] === "history") {
  if (process.env.FAKE_HISTORY_EXIT) {
    process.stderr.write("error: no stack named 'nope' found\\n");
    process.exit(Number(process.env.FAKE_HISTORY_EXIT));
  }
  const page = Number(argv[argv.indexOf("--page") + 1]);
  process.stdout.write(page === 1 ? fs.readFileSync(process.env.FAKE_HISTORY, "utf8") : "[]\\n");
} else if (argv[0] === "up") {
  process.stdout.write("Updating (prod) ... (fake)\\n");
  process.exit(Number(process.env.FAKE_UP_EXIT ?? 0));
}
`;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
  calls: string[][];
}

function rollback(
  args: string[],
  o: { history?: string; withPulumi?: boolean; env?: Record<string, string> } = {},
): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "api-stack-rollback-"));
  dirs.push(dir);
  const bin = join(dir, "bin");
  const log = join(dir, "calls.jsonl");
  writeFileSync(log, "");
  mkdirSync(bin);
  if (o.withPulumi !== false) {
    writeFileSync(join(bin, "pulumi"), FAKE);
    chmodSync(join(bin, "pulumi"), 0o755);
  }
  const env = {
    PATH: bin,
    HOME: dir,
    FAKE_LOG: log,
    FAKE_HISTORY: join(FIXTURES, `${o.history ?? "history-cloud"}.json`),
    ...o.env,
  };
  return new Promise((done) => {
    execFile(
      process.execPath,
      [TSX_CLI, "scripts/rollback.ts", ...args],
      { cwd: REPO, env, timeout: 60_000 },
      (err, stdout, stderr) => {
        const calls = readFileSync(log, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as string[]);
        done({ code: err ? Number(err.code) : 0, stdout, stderr, calls });
      },
    );
  });
}

const HISTORY = ["stack", "history", "--json", "--page-size", "50", "--page", "1"];
/** One line on stderr, and no stack trace. */
const oneLine = (r: Result) => {
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return lines[0]!;
};

afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("npm run rollback against a fake pulumi", () => {
  test("prod: history, the API's image, the worker that ran it, then up with the pack and its config", async () => {
    const r = await rollback(["--stack", "prod"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.calls).toEqual([
      [...HISTORY, "--stack", "prod"],
      ["config", "set", "--path", "api.image", "ghcr.io/acme/api:1.4.2", "--stack", "prod"],
      [
        "config",
        "set",
        "--path",
        "workers.jobs.image",
        "ghcr.io/acme/api:1.4.2",
        "--stack",
        "prod",
      ],
      ...[["up", "--stack", "prod", "--policy-pack", "policy"]].map((up) => [
        ...up,
        "--policy-pack-config",
        "policy/config/prod.json",
      ]),
    ]);
    expect(r.stdout).toContain(
      "rollback prod: the API is at ghcr.io/acme/api:1.4.3 (update 8 (2026-12-06T11:00:00.000Z), succeeded); going back to ghcr.io/acme/api:1.4.2 (update 3 (2026-12-04T09:00:00.000Z), succeeded)",
    );
    expect(r.stdout).toContain("skipped update 5 (2026-12-05T16:00:00.000Z): it failed");
    expect(r.stdout).toContain("worker mailer has an image of its own: left alone");
    expect(r.stdout).toContain("Updating (prod) ... (fake)");
    expect(r.stdout).toContain("rollback prod: done, the API runs ghcr.io/acme/api:1.4.2");
  }, 60_000);

  test("secrets: never asked for (no --show-secrets) and no other config or environment printed", async () => {
    const r = await rollback(["--stack", "prod", "--yes"]);
    expect(r.calls.flat()).not.toContain("--show-secrets");
    const printed = r.stdout + r.stderr;
    for (const other of ["ssh://deploy@", "LOG_LEVEL", "0123456789abcdef", "redis:7.4-alpine"]) {
      expect(printed).not.toContain(other);
    }
    expect(r.calls.at(-1)?.at(-1)).toBe("--yes");
  }, 60_000);

  test("a stack without policy/config/<stack>.json: up with the pack alone; a failed newest release", async () => {
    const r = await rollback(["-s", "staging"], { history: "history-diy-failed-latest" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.calls.map((c) => c.slice(0, 5).join(" "))).toEqual([
      "stack history --json --page-size 50",
      "config set --path api.image ghcr.io/acme/api:1.4.3",
      "config set --path workers.jobs.image ghcr.io/acme/api:1.4.3",
      "up --stack staging --policy-pack policy",
    ]);
    expect(r.calls.at(-1)).toEqual(["up", "--stack", "staging", "--policy-pack", "policy"]);
  }, 60_000);

  test("no earlier different image: one line, exit 2, nothing changed", async () => {
    const r = await rollback(["--stack", "prod"], { history: "history-one-image" });
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(
      /^rollback: no earlier successful update ran an API image other than ghcr.io\/acme\/api:1.4.2/,
    );
    expect(r.calls).toEqual([[...HISTORY, "--stack", "prod"]]);
  }, 60_000);

  test("the CLI missing: one line with the install link, exit 2", async () => {
    const r = await rollback(["--stack", "prod"], { withPulumi: false });
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe(
      "rollback: the Pulumi CLI (`pulumi`) is not on PATH: install it (https://www.pulumi.com/docs/iac/download-install/) or add its directory to PATH; nothing was changed",
    );
  }, 60_000);

  test("history fails (no such stack): its own message, then one line of ours, exit 2", async () => {
    const r = await rollback(["--stack", "nope"], { env: { FAKE_HISTORY_EXIT: "255" } });
    expect(r.code).toBe(2);
    const [theirs, ours, ...rest] = r.stderr.trim().split("\n");
    expect(theirs).toBe("error: no stack named 'nope' found");
    expect(ours).toMatch(
      /^rollback: `pulumi stack history --stack nope` failed \(exit 255; .*nothing was changed$/,
    );
    expect(rest).toEqual([]);
    expect(r.calls).toHaveLength(1);
  }, 60_000);

  test("up fails after the config changed: exit 1, how to retry and how to put the config back", async () => {
    const r = await rollback(["--stack", "prod"], { env: { FAKE_UP_EXIT: "1" } });
    expect(r.code).toBe(1);
    expect(oneLine(r)).toBe(
      "rollback: `pulumi up --stack` failed (exit 1; its message is above). The stack's config now names ghcr.io/acme/api:1.4.2: run `pulumi up --stack prod --policy-pack policy` to try again, or `pulumi config set --path api.image ghcr.io/acme/api:1.4.3 --stack prod` to put the config back",
    );
  }, 60_000);

  test.each([
    [[], /^rollback: `--stack` is required: name the stack to roll back, e\.g\. `--stack prod`/],
    [["--stack"], /^rollback: `--stack` needs a stack name after it, e\.g\. `--stack prod`$/],
    [
      ["--stak", "prod"],
      /^rollback: unknown option `--stak`: rollback takes `--stack <name>` and `--yes`$/,
    ],
    [["prod"], /^rollback: unexpected argument `prod`: name the stack with `--stack prod`$/],
    [["--stack", "a b"], /^rollback: `--stack` "a b" is not a stack name: /],
    [["--stack", "prod", "--yes=no"], /^rollback: `--yes` takes no value: write it alone/],
  ])(
    "bad input %j: one line naming the flag and the fix, exit 2, no pulumi call",
    async (args, message) => {
      const r = await rollback(args);
      expect(r.code).toBe(2);
      expect(oneLine(r)).toMatch(message);
      expect(r.calls).toEqual([]);
    },
    60_000,
  );
});
