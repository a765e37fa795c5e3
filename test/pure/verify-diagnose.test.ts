/**
 * `npm run verify`'s container diagnostics without an engine: when a container counts as not
 * healthy, how `docker logs` frames are split, what is masked by shape, and what an unreachable
 * ssh:// host says. The real engine runs the same code in test/docker/verify-diagnostics.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  checkContainers,
  containersCheck,
  demuxLogs,
  diagnose,
  logsText,
  unhealthyReason,
  type ContainerSource,
  type InspectLike,
} from "../../verify/diagnose";
import { maskPatterns } from "../../verify/mask";
import { containerNamesIn } from "../../verify/outputs";

const S = 1e9;
const NOW = Date.parse("2026-01-01T00:01:00Z");

function container(over: {
  status?: string;
  health?: string;
  startedAt?: string;
  startPeriod?: number;
  interval?: number;
  log?: { Start: string; ExitCode: number; Output: string }[];
}): InspectLike {
  return {
    Id: "c1",
    Name: "/dev-api-server",
    RestartCount: 4,
    State: {
      Status: over.status ?? "running",
      ExitCode: over.status === "restarting" ? 137 : 0,
      OOMKilled: over.status === "restarting",
      Error: "",
      StartedAt: over.startedAt ?? "2026-01-01T00:00:00Z",
      Health:
        over.health === undefined
          ? undefined
          : { Status: over.health, FailingStreak: 3, Log: over.log ?? [] },
    },
    Config: {
      Labels: { "com.api-stack.role": "api" },
      Healthcheck: { StartPeriod: over.startPeriod, Interval: over.interval },
    },
  };
}

describe("unhealthyReason", () => {
  it("healthy, or running without a healthcheck, is fine", () => {
    expect(unhealthyReason(container({ health: "healthy" }), NOW)).toBeUndefined();
    expect(unhealthyReason(container({}), NOW)).toBeUndefined();
  });

  it("unhealthy, restarting and exited are not", () => {
    expect(unhealthyReason(container({ health: "unhealthy" }), NOW)).toBe(
      "unhealthy (3 failed probes in a row)",
    );
    expect(unhealthyReason(container({ status: "restarting" }), NOW)).toBe("status restarting");
    expect(unhealthyReason(container({ status: "exited" }), NOW)).toBe("status exited");
  });

  it("starting counts only past its start period plus one interval", () => {
    // Up 60 s: a 30 s start period with a 10 s interval is over, a 55 s one is not.
    expect(
      unhealthyReason(
        container({ health: "starting", startPeriod: 30 * S, interval: 10 * S }),
        NOW,
      ),
    ).toBe("still starting 60s after start (start period + interval: 40s)");
    expect(
      unhealthyReason(
        container({ health: "starting", startPeriod: 55 * S, interval: 10 * S }),
        NOW,
      ),
    ).toBeUndefined();
  });
});

describe("demuxLogs", () => {
  const frame = (stream: 1 | 2, text: string) => {
    const body = Buffer.from(text);
    const head = Buffer.alloc(8);
    head[0] = stream;
    head.writeUInt32BE(body.length, 4);
    return Buffer.concat([head, body]);
  };

  it("joins stdout and stderr frames in order; a TTY's raw text passes through", () => {
    expect(demuxLogs(Buffer.concat([frame(1, "one\n"), frame(2, "two\n")]))).toBe("one\ntwo\n");
    expect(demuxLogs(Buffer.from("plain\n"))).toBe("plain\n");
  });
});

describe("maskPatterns", () => {
  it.each([
    ["REDIS_PASSWORD=s3cr3t-value", "REDIS_PASSWORD=****"],
    ['{"secret_key":"abc12345","msg":"x"}', '{"secret_key":"****","msg":"x"}'],
    ["Authorization: Bearer abcdef0123456789", "Authorization: Bearer ****"],
    [`token ghp_${"A1b2C3d4E5".repeat(4)} used`, "token **** used"],
    ["AKIAIOSFODNN7EXAMPLE leaked", "**** leaked"],
  ])("%s", (input, masked) => {
    expect(maskPatterns(input)).toBe(masked);
  });

  it("leaves ordinary lines, ids and digests alone", () => {
    const line =
      "error: connect ECONNREFUSED 10.0.0.3:6379 sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 REDIS_URL=redis://redis:6379";
    expect(maskPatterns(line)).toBe(line);
  });
});

describe("containerNamesIn", () => {
  it("names the edge's installer beside the proxy, so a refused config's log is shown", () => {
    expect(
      containerNamesIn({
        edgeContainerName: "prod-edge",
        edgeConfigContainerName: "prod-edge-config",
      }),
    ).toEqual(["prod-edge", "prod-edge-config"]);
  });
});

describe("diagnose", () => {
  it("a container named in the outputs but absent fails the check", async () => {
    const src: ContainerSource = {
      idsByLabel: () => Promise.resolve([]),
      inspect: (ref) =>
        Promise.resolve(ref === "dev-api-server" ? container({ health: "healthy" }) : undefined),
      logTail: () => Promise.reject(new Error("not called")),
    };
    const d = await diagnose(src, {
      names: containerNamesIn({
        apiContainerNames: ["dev-api-server"],
        redisContainerName: "dev-redis",
      }),
      secrets: [],
      dockerHost: "unix:///var/run/docker.sock",
    });
    expect(d.checked).toEqual(["dev-api-server", "dev-redis"]);
    expect(containersCheck(d, 1)).toMatchObject({
      status: "fail",
      detail: "1 of 2 not healthy: dev-redis: named in the stack outputs but no such container",
    });
  });

  it("an ssh:// host that does not answer is skipped with the way to reach it", async () => {
    const r = await checkContainers("ssh://nobody@127.0.0.1:1", { names: [], secrets: [] });
    expect(r.check.status).toBe("skip");
    expect(r.check.detail).toMatch(/^no Docker engine answered at ssh:\/\/nobody@127\.0\.0\.1:1 /);
    expect(r.check.detail).toContain("tunnel the socket (ssh -NL");
    expect(r.check.detail).toContain("--docker-host unix:///tmp/remote-docker.sock");
  });
});

describe("logsText: what dockerode's logs() resolves to", () => {
  it("keeps a TTY tail that docker-modem parsed as JSON as its text", () => {
    expect(logsText({ level: "error", msg: "boom" }, true)).toBe('{"level":"error","msg":"boom"}');
    expect(logsText(42, true)).toBe("42");
  });

  it("reads a TTY tail as text and a non-TTY tail as docker's frames", () => {
    const frame = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, 3]), Buffer.from("hi\n")]);
    expect(logsText(Buffer.from("hi\n"), true)).toBe("hi\n");
    expect(logsText(frame, false)).toBe("hi\n");
  });
});
