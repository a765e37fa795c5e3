/**
 * The stand-in images hold no tool their real tags lack, and run as their real tags run: user,
 * stop signal, entrypoint (test/docker/images/manifests.json, from the docker-library Dockerfile
 * at the commit that built each tag). A stand-in with an extra tool would let a probe pass here
 * that fails in production, as socat in the old haproxy stand-in did.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, expect, test } from "vitest";
import { engine, IMAGES, requireImages } from "./harness";
import { describeDocker } from "./layer";

interface Manifest {
  readonly imageUser: string;
  readonly stopSignal: string;
  readonly entrypoint: string[];
  readonly absent: string[];
  readonly workdir: string;
}
const MANIFESTS = JSON.parse(
  readFileSync(join(__dirname, "images/manifests.json"), "utf8"),
) as Record<string, Manifest>;

describeDocker("stand-in images match their real tags", () => {
  const docker = engine();

  beforeAll(() => requireImages(docker), 60_000);

  /** `command -v` for each name inside the image, as its own user would run it. */
  async function present(image: string, names: string[]): Promise<string[]> {
    const c = await docker.createContainer({
      Image: image,
      Entrypoint: ["/bin/sh", "-c"],
      Cmd: [
        `for b in ${names.join(" ")}; do command -v "$b" >/dev/null 2>&1 && echo "$b"; done; true`,
      ],
      Labels: { "com.api-stack.stack": "standins" },
    });
    try {
      await c.start();
      await c.wait();
      const out = (await c.logs({ stdout: true, stderr: false })).toString("utf8");
      // Docker multiplexes the stream: drop the 8-byte frame headers.
      return out
        .replace(/[\x00-\x08]/g, "")
        .split(/\s+/)
        .map((s) => s.replace(/^[^a-z]+/i, ""))
        .filter((s) => names.includes(s));
    } finally {
      await c.remove({ force: true });
    }
  }

  test.each(IMAGES.filter((i) => MANIFESTS[i]))(
    "%s lacks every tool its real tag lacks",
    async (image) => {
      const absent = MANIFESTS[image]!.absent.filter((a) => /^[\w.+-]+$/.test(a));
      expect(absent.length).toBeGreaterThan(0);
      expect(await present(image, absent)).toEqual([]);
    },
    60_000,
  );

  test.each(IMAGES.filter((i) => MANIFESTS[i]))("%s runs as its real tag does", async (image) => {
    const m = MANIFESTS[image]!;
    const info = (await docker.getImage(image).inspect()) as unknown as {
      Config: { User?: string; StopSignal?: string; Entrypoint?: string[] | null };
    };
    const user = info.Config.User || "root";
    expect(user, "user").toBe(m.imageUser);
    expect(info.Config.StopSignal || "SIGTERM", "stop signal").toBe(m.stopSignal);
    const entry = (info.Config.Entrypoint ?? []).map((e) => e.split("/").pop());
    expect(entry, "entrypoint").toEqual(m.entrypoint.map((e) => e.split("/").pop()));
  });

  // docker-library/redis 7.4/alpine/Dockerfile makes only /data (mkdir /data && chown redis:redis
  // /data), and valkey-container's Dockerfile likewise: no /usr/local/etc/redis. The provider's
  // uploads create it (a tar entry's parents), so anything that copies a file there by hand must
  // too (npm run restore did not, and passed only on a stand-in that had the directory).
  test.each(["redis:7.4-alpine", "redis:7.4.2-alpine", "valkey/valkey:8.1-alpine"])(
    "%s has no /usr/local/etc/redis, as its real tag",
    async (image) => {
      const c = await docker.createContainer({
        Image: image,
        Entrypoint: ["/bin/sh", "-c"],
        Cmd: ["test ! -e /usr/local/etc/redis"],
        Labels: { "com.api-stack.stack": "standins" },
      });
      try {
        await c.start();
        expect((await c.wait()).StatusCode).toBe(0);
      } finally {
        await c.remove({ force: true });
      }
    },
    60_000,
  );

  test("the example API image has the curl its probe needs; its node base does not", async () => {
    expect(await present("ghcr.io/acme/api:1.4.2", ["curl"])).toEqual(["curl"]);
    expect(await present("node:24-bookworm-slim", ["curl"])).toEqual([]);
  }, 60_000);

  // aws/aws-cli docker/Dockerfile at 2.36.7: amazonlinux:2023 (bash, coreutils-single) plus
  // less, groff, findutils and jq; WORKDIR /aws; the CLI is the entrypoint. Scripts that wrap
  // the CLI (`--entrypoint sh`) rely on these, so the stand-in must have them too.
  test("the aws-cli stand-in has the shell and tools of its real tag, in /aws", async () => {
    const image = "amazon/aws-cli:2.36.7";
    const tools = ["bash", "sh", "sha256sum", "cat", "sleep", "date", "ls", "sort", "mkdir"];
    const more = ["mv", "rm", "stat", "wc", "find", "xargs", "jq", "less", "groff", "curl", "aws"];
    expect(await present(image, [...tools, ...more])).toEqual([...tools, ...more]);
    const info = (await docker.getImage(image).inspect()) as unknown as {
      Config: { WorkingDir?: string; Cmd?: string[] | null };
    };
    expect(info.Config.WorkingDir, "workdir").toBe(MANIFESTS[image]!.workdir);
    expect(info.Config.Cmd ?? [], "cmd").toEqual([]);
  }, 60_000);
});
