/**
 * The layer-5 emulation of the Docker provider and the engine, checked against the tables
 * taken from their source (test/docker/facts/): every field our stacks set is classified, the
 * Read formatting matches the table's worked examples, and the planner chooses the step the
 * engine and the bridge choose (facts/engine-steps.md).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  cpusRoundTrip,
  dockerCapabilities,
  nanoCpusToString,
  providerCpus,
} from "../../components/lib/container";
import { CONTAINER, fieldFact, NETWORK, PROVIDER_FACTS, VOLUME } from "../docker/facts";
import { plan } from "../docker/plan";
import { DockerProvider } from "../docker/provider";
import { goDurationString } from "../docker/read-back";
import { reveal, runStack } from "../helpers/program";

const READ = JSON.parse(
  readFileSync(join(__dirname, "../docker/facts/docker-read.json"), "utf8"),
) as { container: Record<string, { examples?: unknown[][] }> };

const DOCKER_STACKS = ["dev", "prod"];

describe("the provider table covers everything our stacks send", () => {
  it.each(DOCKER_STACKS)(
    "%s: every input of every Docker resource is classified",
    async (stack) => {
      const run = await runStack(stack);
      const docker = run.resources.filter((r) => [CONTAINER, NETWORK, VOLUME].includes(r.type));
      expect(docker.length).toBeGreaterThan(3);
      for (const r of docker)
        for (const field of Object.keys(reveal(r.properties) as object))
          expect(() => fieldFact(r.type, field), `${r.type}.${field}`).not.toThrow();
    },
  );

  it("an unclassified field throws instead of being guessed", () => {
    expect(() => fieldFact(CONTAINER, "notAField")).toThrow(/not in test\/docker\/facts/);
  });

  it("records the commits it was read at", () => {
    for (const key of ["pulumi-docker", "terraform-provider-docker", "moby-client"])
      expect(PROVIDER_FACTS.provenance[key]?.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(PROVIDER_FACTS.resources[CONTAINER]?.deleteBeforeReplace).toBe(true);
  });
});

describe("Read's formatting, against the table's worked examples", () => {
  const cpus = (READ.container.cpus?.examples ?? []) as [string, string][];
  it.each(cpus)("cpus %s reads back as %s", (input, back) => {
    expect(nanoCpusToString(BigInt(Math.round(Number(input) * 1e9)))).toBe(back);
    expect(providerCpus(Number(input))).toBe(back);
  });

  it("config keeps only cpus that read back as themselves", () => {
    expect([0.5, 0.25, 1, 1.5, 2, 0.1].every(cpusRoundTrip)).toBe(true);
    expect([0.05, 0.01, 0.02, 10.05].some(cpusRoundTrip)).toBe(false);
  });

  it.each([
    [30e9, "30s"],
    [60e9, "1m0s"],
    [90e9, "1m30s"],
    [3600e9, "1h0m0s"],
    [500e6, "500ms"],
    [1.5e9, "1.5s"],
    [0, "0s"],
  ])("Go's Duration.String of %d ns is %s", (ns, text) => {
    expect(goDurationString(ns)).toBe(text);
  });
});

describe("the step the engine takes", () => {
  const state = { image: "app:1", healthcheck: { tests: ["CMD", "true"] }, tmpfs: undefined };
  const prior = { state };

  it("a ForceNew change with the option unset is delete-before-replace (the provider's choice)", () => {
    const p = plan(CONTAINER, prior, { ...state, image: "app:2" });
    expect(p).toMatchObject({
      op: "replace",
      deleteBeforeReplace: true,
      replaceBecause: ["image"],
    });
  });

  it("an explicit deleteBeforeReplace: false overrides it", () => {
    const p = plan(CONTAINER, prior, { ...state, image: "app:2" }, { deleteBeforeReplace: false });
    expect(p).toMatchObject({ op: "replace", deleteBeforeReplace: false });
  });

  it("a replacement only replaceOnChanges asks for keeps the provider's false", () => {
    const p = plan(
      CONTAINER,
      prior,
      { ...state, healthcheck: { tests: ["CMD", "false"] } },
      { replaceOnChanges: ["healthcheck"] },
    );
    expect(p).toMatchObject({ op: "replace", deleteBeforeReplace: false });
  });

  it("a field neither ForceNew nor updated (tmpfs) is an update that touches nothing", () => {
    const p = plan(CONTAINER, prior, { ...state, tmpfs: { "/tmp": "rw" } });
    expect(p).toMatchObject({ op: "update", changed: ["tmpfs"] });
  });

  it("init errors with no change: an update (which never waits), unless #initerror is named", () => {
    const failed = { state, initErrors: ["container failed to be in healthy state"] };
    expect(plan(CONTAINER, failed, state).op).toBe("update");
    expect(plan(CONTAINER, failed, state, { replaceOnChanges: ["#initerror"] }).op).toBe("replace");
    expect(plan(CONTAINER, prior, state, { replaceOnChanges: ["#initerror"] }).op).toBe("same");
  });

  it("a capability the Go client renames reads back renamed and replaces; its normal form does not", () => {
    const state = { capabilities: { adds: ["CAP_NET_BIND_SERVICE"], drops: ["ALL"] } };
    const raw = { capabilities: { adds: ["NET_BIND_SERVICE"], drops: ["ALL"] } };
    expect(plan(CONTAINER, { state }, raw).op).toBe("replace");
    const normal = {
      capabilities: { adds: dockerCapabilities(["NET_BIND_SERVICE"]), drops: ["ALL"] },
    };
    expect(plan(CONTAINER, { state }, normal).op).toBe("same");
    expect(dockerCapabilities(["net_raw", "CAP_CHOWN", "all", "chown"])).toEqual([
      "ALL",
      "CAP_CHOWN",
      "CAP_NET_RAW",
    ]);
  });

  it("sets compare as sets: reordered labels are no change", () => {
    const labels = [
      { label: "a", value: "1" },
      { label: "b", value: "2" },
    ];
    const p = plan(VOLUME, { state: { labels } }, { labels: [...labels].reverse() });
    expect(p.op).toBe("same");
  });
});

describe("the Go client's version checks, before anything reaches the engine", () => {
  /** An engine that answers only what create asks before its checks: version and the image. */
  const engineAt = (apiVersion: string) => {
    const calls: string[] = [];
    const docker = {
      version: async () => ({ ApiVersion: apiVersion }),
      getImage: () => ({ inspect: async () => ({}) }),
      createContainer: async () => {
        calls.push("createContainer");
        throw new Error("not reached in this test");
      },
    };
    return { docker: docker as unknown as ConstructorParameters<typeof DockerProvider>[0], calls };
  };
  const inputs = (startInterval: string) => ({
    image: "app:1",
    healthcheck: { tests: ["CMD", "true"], interval: "30s", startInterval },
  });

  it("refuses a startInterval below API 1.44 (Docker 20.10 speaks 1.41), as moby's client does", async () => {
    const { docker, calls } = engineAt("1.41");
    await expect(new DockerProvider(docker).create(CONTAINER, "c", inputs("5s"))).rejects.toThrow(
      '"specify health-check start interval" requires API version 1.44, but the Docker daemon API version is 1.41',
    );
    expect(calls).toEqual([]);
  });

  it("sends it on API 1.44 and later, and sends no start interval of 0s anywhere", async () => {
    for (const [api, startInterval] of [
      ["1.44", "5s"],
      ["1.41", "0s"],
    ] as const) {
      const { docker, calls } = engineAt(api);
      await expect(
        new DockerProvider(docker).create(CONTAINER, "c", inputs(startInterval)),
      ).rejects.toThrow("not reached in this test");
      expect(calls).toEqual(["createContainer"]);
    }
  });
});
