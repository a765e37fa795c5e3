/**
 * `npm run verify`'s engine check against engines that answer /version over a unix socket, one
 * speaking API 1.45 and one 1.41 (Docker 20.10, Debian 12's docker.io): the only difference is
 * the version, and the old one fails with the fix named. The real engine is checked in layer 5
 * (test/docker/fresh-up.test.ts).
 */
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkDockerEngine, dockerOptions } from "../../verify/engine";
import { tempDir } from "../real/util";

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function fakeEngine(apiVersion: string, version: string): Promise<string> {
  const socket = join(tempDir("api-stack-fake-engine-"), "docker.sock");
  server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify(
        /\/version$/.test(req.url ?? "") ? { Version: version, ApiVersion: apiVersion } : {},
      ),
    );
  });
  await new Promise<void>((r) => server!.listen(socket, r));
  return `unix://${socket}`;
}

describe("verify's Docker engine check", () => {
  it("passes on API 1.45 (Docker 26)", async () => {
    const r = await checkDockerEngine(await fakeEngine("1.45", "26.1.5"));
    expect(r).toMatchObject({ check: "docker engine", status: "pass" });
    expect(r.detail).toBe("Docker 26.1.5, API 1.45 (needs 1.44, Docker Engine 25)");
  });

  it("fails on API 1.41 (Docker 20.10) and says what to do", async () => {
    const host = await fakeEngine("1.41", "20.10.24");
    const r = await checkDockerEngine(host);
    expect(r.status).toBe("fail");
    expect(r.detail).toContain("speaks API 1.41, older than 1.44");
    expect(r.detail).toContain(`upgrade ${host} to Docker Engine 25 or newer`);
  });

  it("skips, saying how to point it, when no engine answers", async () => {
    const r = await checkDockerEngine(`unix://${join(tempDir(), "none.sock")}`);
    expect(r.status).toBe("skip");
    expect(r.detail).toMatch(/pass --docker-host or set DOCKER_HOST/);
  });

  it("reads DOCKER_HOST forms as the docker CLI does", () => {
    expect(dockerOptions("unix:///run/x.sock")).toEqual({ socketPath: "/run/x.sock" });
    expect(dockerOptions("ssh://deploy@api-1.example.com")).toMatchObject({
      protocol: "ssh",
      host: "api-1.example.com",
      username: "deploy",
      port: 22,
    });
    expect(dockerOptions("tcp://10.0.0.5:2376")).toMatchObject({ host: "10.0.0.5", port: 2376 });
  });
});
