/**
 * redis-has-backups, and the exemption that lets a backup job run the server's image: each
 * bad case differs from its good twin by one setting.
 */
import { describe, expect, it } from "vitest";
import { renderBackupScript } from "../../../components/lib/backup-script";
import { redisIdentity, uploadedClientScript } from "../../../policy/lib/docker";
import { redisHasBackups } from "../../../policy/rules/redis-backups";
import { redisRequiresAuth } from "../../../policy/rules/secrets";
import {
  assertHasStackViolation,
  assertNoStackViolations,
  createStackValidationArgs,
  messagesOf,
} from "../util";

const CONTAINER = "docker:index/container:Container";
const SCRIPT = "/usr/local/bin/api-stack-backup";
const script = renderBackupScript({
  engine: "redis",
  host: "redis",
  port: 6379,
  user: "backup",
  everySeconds: 240,
  keep: 48,
});

const server = {
  image: "redis:7.4-alpine",
  command: ["redis-server", "/usr/local/etc/redis/redis.conf"],
  uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: "user default on #ab ~* +@all" }],
  volumes: [{ volumeName: "cache-data", containerPath: "/data" }],
};

function snapshotter(content = script, command = ["sh", SCRIPT, "loop"]) {
  return {
    image: "redis:7.4-alpine",
    command,
    uploads: [{ file: SCRIPT, content }],
    volumes: [{ volumeName: "cache-backups", containerPath: "/data" }],
  };
}

const stack = (...extra: { name: string; props: Record<string, unknown> }[]) =>
  createStackValidationArgs([
    { type: CONTAINER, name: "cache-server", props: server },
    ...extra.map((e) => ({ type: CONTAINER, ...e })),
  ]);

describe("redis-has-backups", () => {
  it("passes a Redis on a volume with a container that runs redis-cli --rdb", async () => {
    await assertNoStackViolations(redisHasBackups, stack({ name: "snap", props: snapshotter() }));
  });

  it("reports the same Redis when no container takes snapshots", async () => {
    await assertHasStackViolation(
      redisHasBackups,
      stack(),
      /"cache-server" \(redis:7\.4-alpine\) keeps its data on a volume, but no container in this stack takes snapshots/,
    );
  });

  it("reports it when the job's script no longer passes --rdb", async () => {
    const noRdb = script.replaceAll("--rdb", "--scan");
    await assertHasStackViolation(
      redisHasBackups,
      stack({ name: "snap", props: snapshotter(noRdb) }),
      /no container in this stack takes snapshots/,
    );
  });

  it("counts a BGSAVE as a snapshot", async () => {
    const cron = { image: "alpine:3.20", command: ["sh", "-c", "redis-cli BGSAVE"] };
    await assertNoStackViolations(redisHasBackups, stack({ name: "cron", props: cron }));
  });

  it("does not report a Redis without a volume (nothing to lose on a lost disk)", async () => {
    const ephemeral = { ...server, volumes: [] };
    const args = createStackValidationArgs([{ type: CONTAINER, name: "c", props: ephemeral }]);
    await assertNoStackViolations(redisHasBackups, args);
  });
});

describe("a backup job on the server's image is a client, not a server", () => {
  it("the rendered snapshot script starts no server, so redis-requires-auth skips it", async () => {
    expect(uploadedClientScript(snapshotter())).toBe(SCRIPT);
    expect(redisIdentity(snapshotter()).redis).toBe(false);
    expect(await messagesOf(redisRequiresAuth, CONTAINER, snapshotter())).toEqual([]);
  });

  it("the same script with a redis-server line is a server again, and judged", async () => {
    const starts = `${script}\nredis-server --port 6380\n`;
    expect(uploadedClientScript(snapshotter(starts))).toBeUndefined();
    expect(await messagesOf(redisRequiresAuth, CONTAINER, snapshotter(starts))).not.toEqual([]);
  });

  it('a script that passes its arguments on (exec "$@") is judged as a server', () => {
    expect(uploadedClientScript(snapshotter(`${script}\nexec "$@"\n`))).toBeUndefined();
  });

  it("a command that is an uploaded redis.conf is a server (the entrypoint prepends redis-server)", () => {
    const conf = "/usr/local/etc/redis/redis.conf";
    const p = {
      ...snapshotter(),
      command: [conf],
      uploads: [{ file: conf, content: "port 6379" }],
    };
    expect(uploadedClientScript(p)).toBeUndefined();
    expect(redisIdentity(p).redis).toBe(true);
  });

  it("a command whose script is not uploaded is judged as a server", () => {
    expect(uploadedClientScript(snapshotter(script, ["sh", "/elsewhere.sh"]))).toBeUndefined();
  });

  it("an entrypoint of the program's own is judged as a server", () => {
    expect(uploadedClientScript({ ...snapshotter(), entrypoints: ["/bin/sh"] })).toBeUndefined();
  });
});
