/**
 * policy/lib/redis-auth.ts on its own: whether a Redis/Valkey container requires a password,
 * read the way redis-server reads its configuration (config file first, then `--directive`
 * arguments; `user` ACL rules; `include` and `aclfile`), plus Bitnami's REDIS_PASSWORD env vars.
 * Each test states the full result it expects. Written from Stryker's survivors (docs/testing.md).
 */
import { describe, expect, it } from "vitest";
import { analyzeRedisAuth, RedisAuth, splitConfigArgs } from "../../../policy/lib/redis-auth";
import { UNKNOWN } from "../../../policy/lib/unknown";

const CONF = "/usr/local/etc/redis/redis.conf";
const PW = "Qm7z2Kp9wTx4Lr8b";

const none: RedisAuth = {
  requiresAuth: true,
  openUsers: [],
  passwords: [],
  unknownFields: [],
  unresolved: [],
  explicitOpen: [],
  notes: [],
};
const open = (extra: Partial<RedisAuth> = {}): RedisAuth => ({
  ...none,
  requiresAuth: false,
  openUsers: ["default"],
  ...extra,
});
const withConf = (content: string, command: unknown = [CONF]) => ({
  image: "redis:7.4",
  command,
  uploads: [{ file: CONF, content }],
});

describe("splitConfigArgs: redis.conf words", () => {
  it("splits on blanks and keeps quoted words whole, unescaping double quotes only", () => {
    expect(splitConfigArgs(`user app on "> a b" '>c\\'d' plain`)).toEqual([
      "user",
      "app",
      "on",
      "> a b",
      ">c\\'d",
      "plain",
    ]);
    expect(splitConfigArgs(`requirepass "p\\"w"`)).toEqual(["requirepass", 'p"w']);
    expect(splitConfigArgs(`a "" b`)).toEqual(["a", "", "b"]);
  });
});

describe("analyzeRedisAuth: the default user", () => {
  it("with no configuration, default is open", () => {
    expect(analyzeRedisAuth({ image: "redis:7.4" })).toEqual(open());
  });
  it("--requirepass in the command closes it and records where the password came from", () => {
    expect(analyzeRedisAuth({ command: ["redis-server", "--requirepass", PW] })).toEqual({
      ...none,
      passwords: [{ where: "command (requirepass)", value: PW }],
    });
  });
  it("an empty requirepass leaves it open, and is not a password", () => {
    expect(analyzeRedisAuth({ command: ["redis-server", "--requirepass", ""] })).toEqual(open());
    expect(analyzeRedisAuth({ command: ["redis-server", "--requirepass"] })).toEqual(open());
  });
  it("a later empty requirepass reopens what an earlier one closed (last one wins)", () => {
    const r = analyzeRedisAuth({
      command: ["redis-server", "--requirepass", PW, "--requirepass", ""],
    });
    expect(r.openUsers).toEqual(["default"]);
  });
  it("directive names are case-insensitive", () => {
    expect(analyzeRedisAuth({ command: ["redis-server", "--REQUIREPASS", PW] }).requiresAuth).toBe(
      true,
    );
  });
  it("argv starting with a flag or a .conf file is what the official entrypoint runs", () => {
    expect(analyzeRedisAuth({ command: ["--requirepass", PW] }).requiresAuth).toBe(true);
    expect(analyzeRedisAuth(withConf(`requirepass ${PW}`)).passwords).toEqual([
      { where: `${CONF} (requirepass)`, value: PW },
    ]);
  });
  it("the command line applies after the config file", () => {
    const r = analyzeRedisAuth(withConf(`requirepass ${PW}`, [CONF, "--requirepass", ""]));
    expect(r.openUsers).toEqual(["default"]);
  });
});

describe("analyzeRedisAuth: ACL users", () => {
  it.each([
    ["on with a password", `user default on >${PW} ~* +@all`, []],
    ["on with a hash", `user default on #${"a".repeat(64)} ~* +@all`, []],
    ["off with nopass", "user default off nopass", []],
    ["on with nopass", "user default on nopass", ["default"]],
    ["on, nopass then a password", `user default on nopass >${PW}`, []],
    ["on, a password then nopass", `user default on >${PW} nopass`, ["default"]],
    ["on, a password then resetpass (no way in)", `user default on >${PW} resetpass`, []],
    ["on, then reset (off again)", "user default on nopass reset", []],
    ["on, then off", "user default on nopass off", []],
    ["a second user on with nopass", `user default on >${PW}\nuser app on nopass`, ["app"]],
    ["a new user is off until turned on", `user default on >${PW}\nuser app nopass`, []],
  ])("%s", (_, conf, openUsers) => {
    const r = analyzeRedisAuth(withConf(conf));
    expect(r.openUsers).toEqual(openUsers);
    expect(r.requiresAuth).toBe(openUsers.length === 0);
  });
  it("records each >password with the file and user it came from", () => {
    expect(analyzeRedisAuth(withConf(`user app on >${PW} >other`)).passwords).toEqual([
      { where: `${CONF} (ACL user "app")`, value: PW },
      { where: `${CONF} (ACL user "app")`, value: "other" },
    ]);
  });
  it("<password removes one password and !hash one hash, never below zero", () => {
    const u = "user default on";
    expect(analyzeRedisAuth(withConf(`${u} >${PW} <${PW}`)).openUsers).toEqual([]);
    expect(analyzeRedisAuth(withConf(`${u} nopass !x !x`)).openUsers).toEqual(["default"]);
  });
  it("reads `--user` on the command line, its rules given as one or several words", () => {
    const one = analyzeRedisAuth({ command: ["redis-server", "--user", "default on nopass"] });
    expect(one.openUsers).toEqual(["default"]);
    const many = analyzeRedisAuth({
      command: ["redis-server", "--user", "default", "on", `>${PW}`],
    });
    expect(many).toEqual({
      ...none,
      passwords: [{ where: 'command (ACL user "default")', value: PW }],
    });
  });
  it("skips comments and blank lines, and CRLF line ends do not matter", () => {
    const r = analyzeRedisAuth(withConf(`# requirepass x\r\n\r\n  requirepass ${PW}\r\n`));
    expect(r.passwords.map((p) => p.value)).toEqual([PW]);
  });
  it("follows include and aclfile; an ACL file only holds user lines", () => {
    const r = analyzeRedisAuth({
      command: [CONF],
      uploads: [
        { file: CONF, content: "include /etc/extra.conf\naclfile /etc/users.acl" },
        { file: "/etc/extra.conf", content: "user app on nopass" },
        { file: "/etc/users.acl", content: `requirepass ignored\nuser default on >${PW}` },
      ],
    });
    expect(r.openUsers).toEqual(["app"]);
    expect(r.passwords).toEqual([{ where: '/etc/users.acl (ACL user "default")', value: PW }]);
  });
  it("reads contentBase64 uploads", () => {
    const contentBase64 = Buffer.from(`requirepass ${PW}`).toString("base64");
    const r = analyzeRedisAuth({ command: [CONF], uploads: [{ file: CONF, contentBase64 }] });
    expect(r.requiresAuth).toBe(true);
  });
});

describe("analyzeRedisAuth: what it cannot see", () => {
  it("a config file nobody uploads, or one mounted from the host, is unresolved", () => {
    expect(analyzeRedisAuth({ command: [CONF] })).toEqual(
      open({ unresolved: [`the config file ${CONF}, which no \`uploads\` entry provides`] }),
    );
    for (const p of [
      { command: [CONF], mounts: [{ target: "/usr/local/etc/redis" }] },
      { command: [CONF], volumes: [{ containerPath: CONF }] },
    ]) {
      expect(analyzeRedisAuth(p).unresolved).toEqual([
        `the config file ${CONF}, which is mounted from the host`,
      ]);
    }
    // A mount of a sibling path with the same prefix is not the file's directory.
    const sibling = { command: [CONF], mounts: [{ target: "/usr/local/etc/red" }] };
    expect(analyzeRedisAuth(sibling).unresolved[0]).toMatch(/no `uploads` entry/);
  });
  it("unknown uploads, or an unknown upload for the file, defer to provenance", () => {
    for (const uploads of [UNKNOWN, [UNKNOWN], [{ file: CONF, content: UNKNOWN }]]) {
      expect(analyzeRedisAuth({ command: [CONF], uploads })).toEqual(
        open({ unknownFields: ["uploads"] }),
      );
    }
  });
  it("an unknown command defers to provenance", () => {
    expect(analyzeRedisAuth({ command: UNKNOWN })).toEqual(open({ unknownFields: ["command"] }));
    expect(analyzeRedisAuth({ command: ["redis-server", UNKNOWN] }).unknownFields).toEqual([
      "command",
    ]);
  });
  it("a command that runs something else is unresolved", () => {
    expect(analyzeRedisAuth({ command: ["/bin/start", "--requirepass", PW] })).toEqual(
      open({ unresolved: ['`command` runs "start", not redis-server'] }),
    );
  });
  it("a shell command is read up to redis-server's own words", () => {
    const r = analyzeRedisAuth({
      command: ["sh", "-c", `sleep 1 && exec redis-server --requirepass ${PW} && echo x`],
    });
    expect(r.passwords.map((p) => p.value)).toEqual([PW]);
    expect(analyzeRedisAuth({ command: ["sh", "-c", "exec /start.sh"] })).toEqual(
      open({
        unresolved: ["a shell `command` that does not start redis-server/valkey-server visibly"],
      }),
    );
  });
  it("$VAR and ${VAR} resolve from envs; a missing one is unresolved", () => {
    for (const w of ["$PW", "${PW}"]) {
      const r = analyzeRedisAuth({
        command: ["redis-server", "--requirepass", w],
        envs: [`PW=${PW}`],
      });
      expect(r.passwords.map((p) => p.value)).toEqual([PW]);
    }
    expect(analyzeRedisAuth({ command: ["redis-server", "--requirepass", "$PW"] })).toEqual(
      open({ unresolved: ["$PW, which is not set in `envs`"] }),
    );
    expect(
      analyzeRedisAuth({ command: ["redis-server", "--requirepass", "$PW"], envs: UNKNOWN }),
    ).toEqual(open({ unknownFields: ["envs"] }));
  });
  it("a command substitution in the arguments is unresolved, named by its first 40 characters", () => {
    const sub = `$(cat /run/secrets/${"x".repeat(40)})`;
    expect(
      analyzeRedisAuth({ command: ["redis-server", "--requirepass", sub] }).unresolved,
    ).toEqual([`a command substitution (${sub.slice(0, 40)}) in the server arguments`]);
  });
  it("redis-stack reads REDIS_ARGS, and an unknown env may hide it", () => {
    const r = analyzeRedisAuth({
      image: "redis/redis-stack-server:7.4.0-v1",
      command: ["redis-stack-server"],
      envs: [`REDIS_ARGS=--requirepass ${PW}`],
    });
    expect(r.requiresAuth).toBe(true);
    const hidden = { image: "redis/redis-stack:7.4.0-v1", envs: ["A=1", UNKNOWN] };
    expect(analyzeRedisAuth(hidden).unknownFields).toEqual(["envs"]);
    expect(analyzeRedisAuth({ ...hidden, image: "redis:7.4" }).unknownFields).toEqual([]);
  });
});

describe("analyzeRedisAuth: env vars", () => {
  const bitnami = "bitnami/redis:7.4";
  it("Bitnami turns REDIS_PASSWORD or VALKEY_PASSWORD into requirepass", () => {
    for (const name of ["REDIS_PASSWORD", "VALKEY_PASSWORD"]) {
      expect(analyzeRedisAuth({ image: bitnami, envs: [`${name}=${PW}`] })).toEqual({
        ...none,
        passwords: [{ where: "envs (REDIS_PASSWORD)", value: PW }],
      });
    }
  });
  it("Bitnami with a password file requires auth, with no plaintext to check", () => {
    for (const name of ["REDIS_PASSWORD_FILE", "VALKEY_PASSWORD_FILE"]) {
      expect(analyzeRedisAuth({ image: bitnami, envs: [`${name}=/run/pw`] })).toEqual(none);
    }
  });
  it("Bitnami with an empty password, no password, or unknown envs", () => {
    expect(analyzeRedisAuth({ image: bitnami, envs: ["REDIS_PASSWORD="] })).toEqual(open());
    expect(analyzeRedisAuth({ image: bitnami, envs: ["REDIS_PASSWORD_FILE="] })).toEqual(open());
    expect(analyzeRedisAuth({ image: bitnami, envs: UNKNOWN })).toEqual(
      open({ unknownFields: ["envs"] }),
    );
  });
  it("ALLOW_EMPTY_PASSWORD=yes/true/1 is an explicit opt-out, whatever else is set", () => {
    for (const v of ["yes", "TRUE", " 1 "]) {
      const r = analyzeRedisAuth({
        image: bitnami,
        envs: [`REDIS_PASSWORD=${PW}`, `ALLOW_EMPTY_PASSWORD=${v}`],
      });
      expect(r.requiresAuth).toBe(false);
      expect(r.explicitOpen).toEqual([`ALLOW_EMPTY_PASSWORD=${v.trim()}`]);
      expect(r.openUsers).toEqual([]);
    }
    expect(analyzeRedisAuth({ envs: ["ALLOW_EMPTY_PASSWORD=no"] }).explicitOpen).toEqual([]);
    expect(analyzeRedisAuth({ envs: ["ALLOW_EMPTY_PASSWORD=yess"] }).explicitOpen).toEqual([]);
  });
  it("the official image ignores REDIS_PASSWORD, and says so when default is open", () => {
    expect(analyzeRedisAuth({ image: "redis:7.4", envs: [`REDIS_PASSWORD=${PW}`] })).toEqual(
      open({
        notes: [
          "REDIS_PASSWORD/VALKEY_PASSWORD is set, but only Bitnami images read it; the official image ignores it",
        ],
      }),
    );
    const closed = analyzeRedisAuth({
      image: "redis:7.4",
      command: ["redis-server", "--requirepass", PW],
      envs: [`REDIS_PASSWORD=${PW}`],
    });
    expect(closed.notes).toEqual([]);
  });
});
