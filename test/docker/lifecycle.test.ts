/**
 * Scenarios 4, 6 and 7 on one prod deployment: restart policies after a crash, limits and
 * hardening as Docker reports them (and the memory limit acting), and a prod destroy.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  engine,
  SINGLE_API,
  firstUp,
  outputsOf,
  requireImages,
  teardown,
  type Deployment,
} from "./harness";
import { describeDocker } from "./layer";

const sh = promisify(execFile);

describeDocker("prod on a real engine: restarts, limits, destroy", () => {
  let d: Deployment | undefined;
  const docker = engine();
  const container = (logical: string) => docker.getContainer(d!.applier.physicalName(logical));
  let adminPassword = "";

  beforeAll(async () => {
    await requireImages(docker);
    d = await firstUp("prod", SINGLE_API);
    const out = await outputsOf(d.run);
    adminPassword = decodeURIComponent(new URL(String(out.redisAdminUrl)).password);
  }, 300_000);

  afterAll(() => teardown(d), 120_000);

  /** A command inside the Redis container with the admin password in REDISCLI_AUTH (never in argv). */
  async function adminCli(cmd: string[]): Promise<string> {
    const exec = await container("cache-server").exec({
      Cmd: cmd,
      Env: [`REDISCLI_AUTH=${adminPassword}`],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({});
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", resolve);
      stream.on("error", reject);
    });
    // Docker multiplexes stdout/stderr with 8-byte frame headers.
    const raw = Buffer.concat(chunks);
    let text = "";
    for (let i = 0; i + 8 <= raw.length;) {
      const size = raw.readUInt32BE(i + 4);
      text += raw.subarray(i + 8, i + 8 + size).toString("utf8");
      i += 8 + size;
    }
    return text.trim();
  }

  async function waitHealthy(logical: string, timeoutMs: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const info = await container(logical).inspect();
      if (info.State.Running && info.State.Health?.Status === "healthy")
        return Date.now() - started;
      if (Date.now() - started > timeoutMs) throw new Error(`${logical} not healthy again`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  test("6: limits and hardening read back with docker inspect", async () => {
    const api = await container("api-server").inspect();
    const redis = await container("cache-server").inspect();
    const excerpt = (i: typeof api) => ({
      User: i.Config.User,
      Memory: i.HostConfig.Memory,
      NanoCpus: i.HostConfig.NanoCpus,
      CapDrop: i.HostConfig.CapDrop,
      CapAdd: i.HostConfig.CapAdd,
      SecurityOpt: i.HostConfig.SecurityOpt,
      Privileged: i.HostConfig.Privileged,
      RestartPolicy: i.HostConfig.RestartPolicy,
      LogConfig: i.HostConfig.LogConfig,
      StopTimeout: (i.Config as { StopTimeout?: number }).StopTimeout,
    });
    console.log(`[inspect] api ${JSON.stringify(excerpt(api))}`);
    console.log(`[inspect] redis ${JSON.stringify(excerpt(redis))}`);
    expect(excerpt(api)).toMatchObject({
      User: "10001:10001",
      Memory: 512 * 1024 * 1024,
      NanoCpus: 500_000_000,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges:true"],
      Privileged: false,
      RestartPolicy: { Name: "always" },
      LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
      StopTimeout: 30,
    });
    expect(excerpt(redis)).toMatchObject({
      User: "999",
      Memory: 512 * 1024 * 1024,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges:true"],
      Privileged: false,
      RestartPolicy: { Name: "always" },
      StopTimeout: 30,
    });
    expect(redis.HostConfig.CapAdd ?? []).toEqual([]);
  });

  test("6: Redis's maxmemory refuses writes before the cgroup limit kills it", async () => {
    // 1 MiB values, one command each (a Lua script is checked for OOM only when it starts),
    // until Redis says OOM: maxmemory is 384 MB of the container's 512 MB.
    const reply = await adminCli([
      "sh",
      "-c",
      `i=0; while [ $i -lt 600 ]; do
         r=$(head -c 1048576 /dev/zero | tr '\\0' x | redis-cli --no-auth-warning --user admin -x SET fill:$i 2>&1)
         [ "$r" = OK ] || { echo "refused after $i MiB: $r"; exit 0; }
         i=$((i+1))
       done; echo never refused`,
    ]);
    console.log(`[limits] ${reply}`);
    expect(reply).toMatch(/^refused after \d+ MiB: OOM command not allowed/);
    const info = await container("cache-server").inspect();
    expect(info.State.OOMKilled).toBe(false);
    expect(info.State.Running).toBe(true);
    expect(info.RestartCount).toBe(0);
    // DEL is allowed under OOM; the keys go again so the next scenario starts clean.
    await adminCli([
      "sh",
      "-c",
      "redis-cli --no-auth-warning --user admin UNLINK $(seq -f 'fill:%g' 0 600) >/dev/null",
    ]);
  }, 60_000);

  test("4: a crashed API and then a crashed Redis come back per their restart policy, data intact", async () => {
    const counter = Number(
      (
        (await (
          await fetch(`http://127.0.0.1:${d!.apiPort}/counter`, { method: "POST" })
        ).json()) as { value: number }
      ).value,
    );
    for (const logical of ["api-server", "cache-server"]) {
      const before = await container(logical).inspect();
      // A crash, not a `docker stop`/`kill` (which Docker treats as a manual stop): SIGKILL to
      // the container's init process from the host.
      await sh("kill", ["-KILL", String(before.State.Pid)]);
      const killed = Date.now();
      while ((await container(logical).inspect()).RestartCount === before.RestartCount) {
        if (Date.now() - killed > 30_000) throw new Error(`${logical} was not restarted`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const ms = await waitHealthy(logical, 90_000);
      const after = await container(logical).inspect();
      console.log(
        `[restart] ${logical}: restart count ${before.RestartCount} -> ${after.RestartCount}, healthy again after ${(ms / 1000).toFixed(1)} s`,
      );
      expect(after.RestartCount).toBe(before.RestartCount + 1);
    }
    await waitHealthy("api-server", 90_000);
    const now = Number(
      ((await (await fetch(`http://127.0.0.1:${d!.apiPort}/counter`)).json()) as { value: number })
        .value,
    );
    expect(now).toBe(counter);
  }, 200_000);

  test("7: prod destroy: its preview refuses and deletes nothing; --skip-preview deletes the rest, then fails on the volume; after unprotect the volume is retained", async () => {
    const volume = d!.applier.physicalName("cache-data");
    const containers = d!.applier.physicalNames(/-server$/);
    const alive = async () =>
      (await docker.listContainers()).filter((c) => containers.includes(c.Names[0]!.slice(1)))
        .length;
    expect(containers.length).toBeGreaterThan(0);
    // The API image declares VOLUME /tmp: an anonymous volume the provider's delete removes
    // with the container (remove_volumes defaults to true: ContainerRemove RemoveVolumes).
    const api = await docker.getContainer(d!.applier.physicalName("api-server")).inspect();
    const anonymous = api.Mounts.find((m) => m.Destination === "/tmp")?.Name;
    expect(anonymous).toBeDefined();
    // `pulumi destroy` (the preview runs first): fails, nothing deleted.
    await expect(d!.applier.destroy()).rejects.toThrow(/cannot be deleted because it is protected/);
    expect(await alive()).toBe(containers.length);
    // `pulumi destroy --skip-preview`, as the Automation API and pulumi/actions run it: every
    // other resource is deleted first (DeleteStep.Apply checks protect as each delete runs).
    await expect(d!.applier.destroy({ skipPreview: true })).rejects.toThrow(
      /cannot be deleted because it is protected/,
    );
    expect(await alive()).toBe(0);
    expect((await docker.getVolume(volume).inspect()).Name).toBe(volume);
    await expect(docker.getVolume(anonymous!).inspect()).rejects.toMatchObject({ statusCode: 404 });
    d!.applier.unprotectAll();
    const steps = await d!.applier.destroy();
    expect(steps.find((s) => s.name === volume)?.op).toBe("retain");
    const v = await docker.getVolume(volume).inspect();
    expect(v.Name).toBe(volume);
    await docker.getVolume(volume).remove();
  }, 120_000);
});
