/**
 * `npm run verify` on a `platform: ecs` stack (issue 14): the API is checked through the URL the
 * stack exports (the ALB's; here a real HTTP server on 127.0.0.1 stands in for it), and the
 * cache, which admits only the tasks' security groups, is skipped with the reason instead of
 * failing. The twin differs by `platform` alone and tries (and fails) to reach the cache.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseOutputs, resolveTarget, runChecks } from "../../verify";

let server: Server;
let apiUrl: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(req.url === "/health" ? 200 : 404, { "content-type": "application/json" });
    res.end(req.url === "/health" ? '{"ok":true}' : "{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** prod-ecs's outputs as `pulumi stack output --json --show-secrets` prints them. */
const outputs = (platform: string) =>
  parseOutputs(
    {
      platform,
      apiUrl,
      apiHealthPath: "/health",
      apiStartPeriodSeconds: 120,
      redisMode: "elasticache",
      redisTls: true,
      // Port 9 on loopback: nothing listens, so a check that tries it fails at once.
      redisUrl: "rediss://app:Qk9Lm2Xz9Vb4Nc7Rw1Ky5Hd3Gf6Js0PaE@127.0.0.1:9",
    },
    "outputs.json",
  );

const run = (platform: string) =>
  runChecks({
    target: resolveTarget(outputs(platform), { timeoutSeconds: 10 }),
    redisTimeoutMs: 2_000,
  });

describe("npm run verify against a platform: ecs stack", () => {
  it("passes on the API's health and skips the unreachable cache, saying why", async () => {
    const r = await run("ecs");
    const by = Object.fromEntries(r.checks.map((c) => [c.check, c]));
    expect(by["api health"]?.status).toBe("pass");
    expect(by["api health"]?.detail).toContain(`HTTP 200 from ${apiUrl}/health`);
    expect(by["redis ping"]?.status).toBe("skip");
    expect(by["redis ping"]?.detail).toContain("the cache admits only the tasks' security groups");
    expect(r.ok).toBe(true);
    expect(JSON.stringify(r)).not.toContain("Qk9Lm2Xz9Vb4Nc7Rw1Ky5Hd3Gf6Js0PaE");
  });

  it("tries the cache on a docker stack with the same outputs, and fails when it is unreachable", async () => {
    const r = await run("docker");
    expect(r.checks.find((c) => c.check === "redis ping")?.status).toBe("fail");
    expect(r.ok).toBe(false);
  });

  it("checks the cache on ECS when --redis-url points at a tunnel", async () => {
    const target = resolveTarget(outputs("ecs"), {
      redisUrl: "rediss://app:Qk9Lm2Xz9Vb4Nc7Rw1Ky5Hd3Gf6Js0PaE@127.0.0.1:9",
      timeoutSeconds: 10,
    });
    expect(target.redisUnreachable).toBeUndefined();
    const r = await runChecks({ target, redisTimeoutMs: 2_000 });
    expect(r.checks.find((c) => c.check === "redis ping")?.status).toBe("fail");
  });
});
