/**
 * policy/lib/redis-auth.ts, the edges the mutation run found open after redis-auth.test.ts:
 * malformed uploads and mounts, which directives split their argument, the wording of what it
 * cannot see, and the anchored ALLOW_EMPTY_PASSWORD match (docs/testing.md, "Mutation score").
 */
import { describe, expect, it } from "vitest";
import { analyzeRedisAuth } from "../../../policy/lib/redis-auth";
import { UNKNOWN } from "../../../policy/lib/unknown";

const CONF = "/usr/local/etc/redis/redis.conf";
const PW = "Qm7z2Kp9wTx4Lr8b";
const NO_UPLOAD = `the config file ${CONF}, which no \`uploads\` entry provides`;

describe("analyzeRedisAuth: malformed input is skipped, not fatal", () => {
  it("an empty uploads list hides nothing: the file is unresolved, not unknown", () => {
    const r = analyzeRedisAuth({ command: [CONF], uploads: [] });
    expect([r.unresolved, r.unknownFields]).toEqual([[NO_UPLOAD], []]);
  });
  it("null and non-object uploads are skipped; an upload with no content provides nothing", () => {
    for (const uploads of [[null], [5], [{ file: CONF }], [{ file: CONF, contentBase64: 5 }]]) {
      const r = analyzeRedisAuth({ command: [CONF], uploads });
      expect([r.unresolved, r.unknownFields], JSON.stringify(uploads)).toEqual([[NO_UPLOAD], []]);
    }
  });
  it("an unknown upload elsewhere may be the file, so the file is unknown", () => {
    const r = analyzeRedisAuth({ command: [CONF], uploads: [{ file: "/x", content: UNKNOWN }] });
    expect([r.unresolved, r.unknownFields]).toEqual([[], ["uploads"]]);
  });
  it("null mounts and volumes are skipped", () => {
    const r = analyzeRedisAuth({ command: [CONF], mounts: [null], volumes: [null] });
    expect(r.unresolved).toEqual([NO_UPLOAD]);
  });
  it("a command given as one string, or with non-string entries, is read safely", () => {
    expect(analyzeRedisAuth({ command: `redis-server --requirepass ${PW}` }).requiresAuth).toBe(
      false,
    );
    const r = analyzeRedisAuth({ command: ["redis-server", 5, "--requirepass", PW] });
    expect(r.requiresAuth).toBe(true);
  });
  it("a word after the config file and before the first --directive is ignored", () => {
    const r = analyzeRedisAuth({
      command: [CONF, "extra", "--requirepass", PW],
      uploads: [{ file: CONF, content: "appendonly yes" }],
    });
    expect(r.requiresAuth).toBe(true);
    expect(r.unresolved).toEqual([]);
  });
});

describe("analyzeRedisAuth: directives", () => {
  it("names a directive's source even when another directive follows it", () => {
    const r = analyzeRedisAuth({ command: ["redis-server", "--requirepass", PW, "--port", "1"] });
    expect(r.passwords).toEqual([{ where: "command (requirepass)", value: PW }]);
  });
  it("only --user splits its argument into ACL rules; other values stay whole", () => {
    expect(
      analyzeRedisAuth({ command: ["redis-server", "--user", "default off"] }).openUsers,
    ).toEqual([]);
    const r = analyzeRedisAuth({ command: ["redis-server", "--requirepass", "a b"] });
    expect(r.passwords.map((p) => p.value)).toEqual(["a b"]);
  });
  it("resetpass takes nopass away", () => {
    const conf = "user default on nopass resetpass";
    const r = analyzeRedisAuth({ command: [CONF], uploads: [{ file: CONF, content: conf }] });
    expect(r.openUsers).toEqual([]);
  });
  it("other directives are not files to read", () => {
    const conf = `appendonly yes\nrequirepass ${PW}`;
    const r = analyzeRedisAuth({ command: [CONF], uploads: [{ file: CONF, content: conf }] });
    expect(r.unresolved).toEqual([]);
    expect(r.requiresAuth).toBe(true);
  });
  it("a missing include or ACL file is named as such", () => {
    const conf = "include /etc/a.conf\naclfile /etc/users.acl";
    const r = analyzeRedisAuth({ command: [CONF], uploads: [{ file: CONF, content: conf }] });
    expect(r.unresolved).toEqual([
      "the included config file /etc/a.conf, which no `uploads` entry provides",
      "the ACL file /etc/users.acl, which no `uploads` entry provides",
    ]);
  });
  it("${NAME} with a longer name resolves from envs", () => {
    const r = analyzeRedisAuth({
      command: ["redis-server", "--requirepass", "${REDIS_PW}"],
      envs: [`REDIS_PW=${PW}`],
    });
    expect(r.passwords.map((p) => p.value)).toEqual([PW]);
  });
  it("ALLOW_EMPTY_PASSWORD must be exactly yes, true or 1", () => {
    expect(analyzeRedisAuth({ envs: ["ALLOW_EMPTY_PASSWORD=xyes"] }).explicitOpen).toEqual([]);
  });
});

describe("analyzeRedisAuth: a new or reset user starts off, without nopass", () => {
  const open = (conf: string) =>
    analyzeRedisAuth({ command: [CONF], uploads: [{ file: CONF, content: conf }] }).openUsers;
  it("a user turned on with no password and no nopass cannot log in", () => {
    expect(open(`user default on >${PW}\nuser app on`)).toEqual([]);
  });
  it("reset turns the user off and takes nopass away", () => {
    expect(open(`user default on >${PW}\nuser app reset nopass`)).toEqual([]);
    expect(open(`user default on >${PW}\nuser app on nopass reset on`)).toEqual([]);
  });
});
