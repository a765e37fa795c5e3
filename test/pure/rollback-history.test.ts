/**
 * rollback/history.ts on `pulumi stack history --json` as the CLI prints it (fixtures/rollback/,
 * whose README cites the CLI's source): which image a rollback goes back to.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  chooseRollback,
  liveImage,
  liveWorkers,
  parseHistory,
  RollbackError,
  type Decision,
  type HistoryEntry,
  type LiveConfig,
} from "../../rollback/history";
import { commandsFor, describePlan, PAGE_SIZE, rollbackMain } from "../../rollback";

const read = (name: string) =>
  readFileSync(join(__dirname, "fixtures/rollback", `${name}.json`), "utf8");
const fixture = (name: string) => parseHistory(read(`history-${name}`));
/** The live config of fixtures/rollback/config-<name>.json (`pulumi config --json`). */
const live = (name: string): LiveConfig => {
  const c = JSON.parse(read(`config-${name}`)) as Record<
    string,
    { objectValue?: { image: string } }
  >;
  return {
    image: c["api-stack:api"]!.objectValue!.image,
    workers: liveWorkers(read(`config-${name}`)),
  };
};
const planOf = (d: Decision) => {
  if (!("plan" in d)) throw new Error("expected a plan");
  return d.plan;
};

describe("chooseRollback", () => {
  test("Pulumi Cloud history: back past what did not succeed to the last other image that succeeded", () => {
    const p = planOf(chooseRollback(fixture("cloud"), true, live("cloud")));
    expect(p.current).toEqual(live("cloud"));
    expect(p.current.image).toBe("ghcr.io/acme/api:1.4.3");
    // 9 is in progress (1.4.4), so it is the newest recorded up but not a candidate.
    expect(p.recorded).toMatchObject({ version: 9, image: "ghcr.io/acme/api:1.4.4" });
    // 8 and 6 ran the config's image; 7 is a refresh and 4 a preview; 5 failed.
    expect(p.target).toMatchObject({ version: 3, image: "ghcr.io/acme/api:1.4.2" });
    expect(p.skipped.map((s) => [s.version, s.result, s.image])).toEqual([
      [9, "in-progress", "ghcr.io/acme/api:1.4.4"],
      [5, "failed", "ghcr.io/acme/api:1.4.3-rc1"],
    ]);
    expect(p.workers).toEqual({ jobs: "ghcr.io/acme/api:1.4.2" });
    expect(p.ownImage).toEqual(["mailer"]);
    expect(p.newWorkers).toEqual([]);
  });

  test("the config names the in-progress update's image: back to the newest that succeeded (8)", () => {
    const p = planOf(
      chooseRollback(fixture("cloud"), true, {
        image: "ghcr.io/acme/api:1.4.4",
        workers: { jobs: "ghcr.io/acme/api:1.4.4" },
      }),
    );
    expect(p.target).toMatchObject({ version: 8, image: "ghcr.io/acme/api:1.4.3" });
    expect(p.skipped.map((s) => s.version)).toEqual([9]);
    expect(p.workers).toEqual({ jobs: "ghcr.io/acme/api:1.4.3" });
  });

  test("only `succeeded` is a candidate: cancelled, not-started, no result and failed are skipped and listed", () => {
    const p = planOf(chooseRollback(fixture("cloud-results"), true, live("cloud-results")));
    expect(p.target).toMatchObject({ version: 4, image: "ghcr.io/acme/api:1.4.3" });
    expect(p.skipped.map((s) => [s.version, s.result, s.image])).toEqual([
      [8, "cancelled", "ghcr.io/acme/api:1.5.0"],
      [7, "not-started", "ghcr.io/acme/api:1.5.0"],
      [6, "", "ghcr.io/acme/api:1.5.0-rc2"],
      [5, "failed", "ghcr.io/acme/api:1.5.0-rc1"],
    ]);
    expect(describePlan(p, "prod").slice(1, 5)).toEqual([
      '  skipped update 8 (2026-12-08T10:00:00.000Z): its result is "cancelled", not "succeeded", with ghcr.io/acme/api:1.5.0',
      '  skipped update 7 (2026-12-08T09:00:00.000Z): its result is "not-started", not "succeeded", with ghcr.io/acme/api:1.5.0',
      "  skipped update 6 (2026-12-07T16:00:00.000Z): it has no result, with ghcr.io/acme/api:1.5.0-rc2",
      "  skipped update 5 (2026-12-07T15:00:00.000Z): it failed, with ghcr.io/acme/api:1.5.0-rc1",
    ]);
  });

  test("an up killed on a self-managed back end: the config's image is current, the newest recorded one is the target", () => {
    const p = planOf(chooseRollback(fixture("diy-killed-up"), true, live("killed-up")));
    expect(p.current.image).toBe("ghcr.io/acme/api:1.4.3");
    expect(p.target).toMatchObject({
      image: "ghcr.io/acme/api:1.4.2",
      startTime: "2026-12-06T11:00:00.000Z",
    });
    expect(p.skipped).toEqual([]);
    // jobs names 1.4.3 in the config (the killed up set it); it goes back with the API.
    expect(p.workers).toEqual({ jobs: "ghcr.io/acme/api:1.4.2" });
    expect(describePlan(p, "prod").slice(0, 2)).toEqual([
      "rollback prod: the config names ghcr.io/acme/api:1.4.3; going back to ghcr.io/acme/api:1.4.2 (the update of 2026-12-06T11:00:00.000Z, succeeded)",
      "  the last recorded up (the update of 2026-12-06T11:00:00.000Z, succeeded) ran ghcr.io/acme/api:1.4.2, the config says ghcr.io/acme/api:1.4.3: an up may have been interrupted (a self-managed back end records an up only when it ends), or this checkout's config is not the one last deployed",
    ]);
  });

  test("config and newest recorded up agree: no such line", () => {
    const p = planOf(chooseRollback(fixture("diy-failed-latest"), true, live("diy-failed-latest")));
    expect(describePlan(p, "prod").join("\n")).not.toMatch(/last recorded up/);
  });

  test("a failed newest release is what the config names: back to the last one that succeeded", () => {
    const p = planOf(chooseRollback(fixture("diy-failed-latest"), true, live("diy-failed-latest")));
    expect(p.current.image).toBe("ghcr.io/acme/api:1.4.4-never-healthy");
    expect(p.target).toMatchObject({
      image: "ghcr.io/acme/api:1.4.3",
      startTime: "2026-12-06T11:00:00.000Z",
    });
    expect(p.skipped).toHaveLength(2);
  });

  test("versions are 0 on a self-managed back end: the CLI's order decides, and lines name the time", () => {
    const p = planOf(chooseRollback(fixture("diy-failed-latest"), true, live("diy-failed-latest")));
    expect(describePlan(p, "prod").slice(0, 2)).toEqual([
      "rollback prod: the config names ghcr.io/acme/api:1.4.4-never-healthy; going back to ghcr.io/acme/api:1.4.3 (the update of 2026-12-06T11:00:00.000Z, succeeded)",
      "  skipped the update of 2026-12-06T12:10:00.000Z: it failed, with ghcr.io/acme/api:1.4.4-never-healthy",
    ]);
  });

  test("run twice, it goes forward again: the second run targets the release the first one left", () => {
    // The first rollback's own up (1.4.2, succeeded) is now the newest entry, and the config names 1.4.2.
    const cloud = fixture("cloud");
    const rollbackUp: HistoryEntry = {
      ...cloud[6]!,
      version: 10,
      startTime: "2026-12-06T13:00:00.000Z",
    };
    const p = planOf(
      chooseRollback([rollbackUp, ...cloud], true, {
        image: "ghcr.io/acme/api:1.4.2",
        workers: { jobs: "ghcr.io/acme/api:1.4.2" },
      }),
    );
    expect(p.target).toMatchObject({ version: 8, image: "ghcr.io/acme/api:1.4.3" });
  });

  test("no earlier image that succeeded: one line that says so and what to do", () => {
    const err = (() => {
      try {
        chooseRollback(fixture("one-image"), true, live("one-image"));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RollbackError);
    expect((err as Error).message).toBe(
      "no successful update in the stack's history ran an API image other than ghcr.io/acme/api:1.4.2 (the one its config names): there is nothing to roll back to; set one with `pulumi config set --path api.image <ref>` and run `pulumi up`",
    );
  });

  test("a stack never updated", () => {
    expect(() =>
      chooseRollback(fixture("empty"), true, { image: "ghcr.io/acme/api:1.4.2", workers: {} }),
    ).toThrow(/no `pulumi up` with an `api.image`: there is nothing to roll back/);
  });

  test("an `api` block hidden as a secret: says why and the way out, never guesses", () => {
    expect(() =>
      chooseRollback(fixture("secret-api"), true, { image: "ghcr.io/acme/api:1.4.2", workers: {} }),
    ).toThrow(
      /`api` in update 2 .* is secret .*`pulumi stack history` hides it.* keep secrets out of `api`/,
    );
  });

  test("an incomplete page asks for the next one instead of failing", () => {
    const cloud = fixture("cloud");
    expect(chooseRollback(cloud.slice(0, 4), false, live("cloud"))).toEqual({ more: true });
    expect(() => chooseRollback(cloud.slice(0, 4), true, live("cloud"))).toThrow(RollbackError);
  });

  test("a worker that names the API's image but did not exist in the target is named, not touched", () => {
    const cloud = fixture("cloud");
    // Without update 3 and 2, the target is update 1, which had no workers.
    const p = planOf(chooseRollback([...cloud.slice(0, 6), cloud[8]!], true, live("cloud")));
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
    const p = planOf(chooseRollback(fixture("cloud").map(strip), true, live("cloud")));
    expect(p.target.image).toBe("ghcr.io/acme/api:1.4.2");
  });
});

describe("the live config", () => {
  test("`config get --path api.image` prints the plain string; diagnostics after it are ignored", () => {
    expect(liveImage("ghcr.io/acme/api:1.4.3\n")).toBe("ghcr.io/acme/api:1.4.3");
    expect(liveImage("ghcr.io/acme/api:1.4.3\n\nEnvironment diagnostics:\n  warning: x\n")).toBe(
      "ghcr.io/acme/api:1.4.3",
    );
    expect(() => liveImage("\n")).toThrow(/printed no image reference/);
  });
  test("`config --json`: the workers' images; a secret inside `workers` hides it whole and stops", () => {
    expect(liveWorkers(read("config-cloud"))).toEqual({
      jobs: "ghcr.io/acme/api:1.4.3",
      mailer: "ghcr.io/acme/mailer:2.0.1",
    });
    expect(liveWorkers(read("config-one-image"))).toEqual({});
    expect(() => liveWorkers('{"api-stack:workers": {"secret": true}}')).toThrow(
      /`workers` in the stack's config is secret .*`pulumi config` hides it/,
    );
    expect(() => liveWorkers("[]")).toThrow(/did not print an object/);
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
  const p = planOf(chooseRollback(fixture("cloud"), true, live("cloud")));
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
    const cloud = fixture("cloud");
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
        let stdout = page > 0 ? JSON.stringify(pages[page - 1] ?? []) : "";
        if (args[1] === "get") stdout = "ghcr.io/acme/api:1.4.3\n";
        if (args[1] === "--json") stdout = read("config-cloud");
        return Promise.resolve({ code: 0, stdout });
      },
    });
    expect(code).toBe(0);
    expect(calls.map((c) => c.slice(0, 2).concat(c.includes("--page") ? [c[6]!] : []))).toEqual([
      ["config", "get"],
      ["config", "--json"],
      ["stack", "history", "1"],
      ["stack", "history", "2"],
      ["config", "set"],
      ["config", "set"],
      ["up", "--stack"],
    ]);
    expect(calls[4]).toContain("ghcr.io/acme/api:1.4.2");
  });
});

describe("an `up` killed mid-roll on a self-managed back end (it leaves no history entry)", () => {
  // pulumi/pulumi pkg/backend/diy/backend.go (apply) saves the history entry only after
  // engine.Update returns, so after `up 1.4.3` was killed the config and some containers are at
  // 1.4.3 while the newest entry is still the 1.4.2 that succeeded before it.
  test("the target is the newest succeeded image other than the config's (1.4.2), not the one before it", async () => {
    const calls: string[][] = [];
    const code = await rollbackMain(["--stack", "prod", "--yes"], {
      out: () => undefined,
      err: () => undefined,
      cwd: "/nonexistent",
      run: (args) => {
        calls.push(args);
        let stdout = "";
        if (args[0] === "stack") stdout = args[6] === "1" ? read("history-diy-killed-up") : "[]";
        else if (args[0] === "config" && args[1] === "get") stdout = "ghcr.io/acme/api:1.4.3\n";
        else if (args[0] === "config" && args[1] === "--json") stdout = read("config-killed-up");
        return Promise.resolve({ code: 0, stdout });
      },
    });
    expect(code).toBe(0);
    const setApi = calls.find((c) => c[1] === "set" && c[3] === "api.image");
    expect(setApi?.[4]).toBe("ghcr.io/acme/api:1.4.2");
  });
});
