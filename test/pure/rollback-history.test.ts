/**
 * rollback/history.ts on `pulumi stack history --json` as the CLI prints it (fixtures/rollback/,
 * whose README cites the CLI's source): which image a rollback goes back to.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  chooseRollback,
  parseHistory,
  RollbackError,
  type Decision,
  type HistoryEntry,
} from "../../rollback/history";
import { commandsFor, describePlan, PAGE_SIZE, rollbackMain } from "../../rollback";

const fixture = (name: string) =>
  parseHistory(readFileSync(join(__dirname, "fixtures/rollback", `${name}.json`), "utf8"));
const planOf = (d: Decision) => {
  if (!("plan" in d)) throw new Error("expected a plan");
  return d.plan;
};

describe("chooseRollback", () => {
  test("Pulumi Cloud history: back past the failed update to the last other image that succeeded", () => {
    const p = planOf(chooseRollback(fixture("history-cloud"), true));
    // 9 is in progress, 7 a refresh, 4 a preview: not ups that finished.
    expect(p.current).toMatchObject({ version: 8, image: "ghcr.io/acme/api:1.4.3" });
    // 6 ran the same image; 5 failed with another one and is skipped.
    expect(p.target).toMatchObject({ version: 3, image: "ghcr.io/acme/api:1.4.2" });
    expect(p.skipped.map((s) => [s.version, s.image])).toEqual([[5, "ghcr.io/acme/api:1.4.3-rc1"]]);
    expect(p.workers).toEqual({ jobs: "ghcr.io/acme/api:1.4.2" });
    expect(p.ownImage).toEqual(["mailer"]);
    expect(p.newWorkers).toEqual([]);
  });

  test("a failed newest release counts as current: back to the last one that succeeded", () => {
    const p = planOf(chooseRollback(fixture("history-diy-failed-latest"), true));
    expect(p.current).toMatchObject({
      image: "ghcr.io/acme/api:1.4.4-never-healthy",
      result: "failed",
      startTime: "2026-12-06T12:10:00.000Z",
    });
    expect(p.target).toMatchObject({
      image: "ghcr.io/acme/api:1.4.3",
      startTime: "2026-12-06T11:00:00.000Z",
    });
    expect(p.skipped).toHaveLength(1);
  });

  test("versions are 0 on a self-managed back end: the CLI's order decides, and lines name the time", () => {
    const p = planOf(chooseRollback(fixture("history-diy-failed-latest"), true));
    expect(describePlan(p, "prod")[0]).toBe(
      "rollback prod: the API is at ghcr.io/acme/api:1.4.4-never-healthy (the update of 2026-12-06T12:10:00.000Z, failed); going back to ghcr.io/acme/api:1.4.3 (the update of 2026-12-06T11:00:00.000Z, succeeded)",
    );
  });

  test("no earlier image that succeeded: one line that says so and what to do", () => {
    const err = (() => {
      try {
        chooseRollback(fixture("history-one-image"), true);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RollbackError);
    expect((err as Error).message).toBe(
      "no earlier successful update ran an API image other than ghcr.io/acme/api:1.4.2 (the newest, update 4 (2026-12-06T11:00:00.000Z)): there is nothing to roll back to; set one with `pulumi config set --path api.image <ref>` and run `pulumi up`",
    );
  });

  test("a stack never updated", () => {
    expect(() => chooseRollback(fixture("history-empty"), true)).toThrow(
      /no finished `pulumi up` with an `api.image`: there is nothing to roll back/,
    );
  });

  test("an `api` block hidden as a secret: says why and the way out, never guesses", () => {
    expect(() => chooseRollback(fixture("history-secret-api"), true)).toThrow(
      /`api` in update 2 .* is secret .* keep secrets out of `api`/,
    );
  });

  test("an incomplete page asks for the next one instead of failing", () => {
    const cloud = fixture("history-cloud");
    expect(chooseRollback(cloud.slice(0, 4), false)).toEqual({ more: true });
    expect(() => chooseRollback(cloud.slice(0, 4), true)).toThrow(RollbackError);
  });

  test("a worker that ran the API's image but did not exist in the target is named, not touched", () => {
    const cloud = fixture("history-cloud");
    // Without update 3 and 2, the target is update 1, which had no workers.
    const p = planOf(chooseRollback([...cloud.slice(0, 6), cloud[8]!], true));
    expect(p.target.version).toBe(1);
    expect(p.workers).toEqual({});
    expect(p.newWorkers).toEqual(["jobs"]);
  });

  test("objectValue absent (an older CLI): the JSON text in value is read", () => {
    const strip = (e: HistoryEntry): HistoryEntry => ({
      ...e,
      config: Object.fromEntries(
        Object.entries(e.config ?? {}).map(([k, v]) => [k, { value: v.value, secret: v.secret }]),
      ),
    });
    const p = planOf(chooseRollback(fixture("history-cloud").map(strip), true));
    expect(p.target.image).toBe("ghcr.io/acme/api:1.4.2");
  });
});

describe("parseHistory", () => {
  test("text that is not JSON is refused without quoting it (it may hold config)", () => {
    expect(() => parseHistory("error: hunter2 is not a stack")).toThrow(
      /^`pulumi stack history --json` did not print JSON$/,
    );
  });
  test("JSON of another shape is refused", () => {
    expect(() => parseHistory("{}")).toThrow(/did not print a list of updates/);
    expect(() => parseHistory('[{"version": 1}]')).toThrow(/entry 0 has no kind or startTime/);
  });
});

describe("commandsFor", () => {
  const p = planOf(chooseRollback(fixture("history-cloud"), true));
  test("config first (the API, then the workers that ran its image), then the up with the pack", () => {
    expect(commandsFor(p, "prod", { yes: false, policyConfig: "policy/config/prod.json" })).toEqual(
      [
        ["config", "set", "--path", "api.image", "ghcr.io/acme/api:1.4.2", "--stack", "prod"],
        [
          ...["config", "set", "--path", "workers.jobs.image", "ghcr.io/acme/api:1.4.2"],
          ...["--stack", "prod"],
        ],
        [
          "up",
          "--stack",
          "prod",
          "--policy-pack",
          "policy",
          "--policy-pack-config",
          "policy/config/prod.json",
        ],
      ],
    );
  });
  test("--yes reaches the up; no pack config file, no flag", () => {
    expect(commandsFor(p, "staging", { yes: true }).at(-1)).toEqual([
      ...["up", "--stack", "staging", "--policy-pack", "policy", "--yes"],
    ]);
  });
});

describe("rollbackMain's paging", () => {
  test("reads the next page while the target is not on the ones read so far", async () => {
    const cloud = fixture("history-cloud");
    const same = Array.from({ length: PAGE_SIZE }, () => cloud[1]!);
    const calls: string[][] = [];
    const pages = [same, [cloud[2]!, cloud[6]!]];
    const code = await rollbackMain(["--stack", "prod", "--yes"], {
      out: () => undefined,
      err: () => undefined,
      cwd: "/nonexistent",
      run: (args) => {
        calls.push(args);
        const page = args[0] === "stack" ? Number(args[args.indexOf("--page") + 1]) : 0;
        const stdout = page > 0 ? JSON.stringify(pages[page - 1] ?? []) : "";
        return Promise.resolve({ code: 0, stdout });
      },
    });
    expect(code).toBe(0);
    expect(calls.map((c) => c.slice(0, 2).concat(c.includes("--page") ? [c[6]!] : []))).toEqual([
      ["stack", "history", "1"],
      ["stack", "history", "2"],
      ["config", "set"],
      ["config", "set"],
      ["up", "--stack"],
    ]);
    expect(calls[2]).toContain("ghcr.io/acme/api:1.4.2");
  });
});
