/**
 * policy/lib/redis-acl.ts through analyzeRedisAuth: the ACL rules that decide whether a user can
 * log in without a password (`on` + `nopass`), in the order Redis applies them, and the config
 * lines it reads (comments, blank lines, `aclfile` reading only `user` lines). Each open case
 * has a closed twin one rule away.
 */
import { describe, expect, it } from "vitest";
import { analyzeRedisAuth } from "../../../policy/lib/redis-auth";

const CONF = "/usr/local/etc/redis/redis.conf";
const ACL = "/usr/local/etc/redis/users.acl";
const PW = "Qm7z2Kp9wTx4Lr8b";
const auth = (conf: string, acl?: string) =>
  analyzeRedisAuth({
    image: "redis:7.4",
    command: [CONF],
    uploads: [
      { file: CONF, content: conf },
      ...(acl === undefined ? [] : [{ file: ACL, content: acl }]),
    ],
  });
const openUsers = (conf: string, acl?: string) => auth(conf, acl).openUsers;

describe("ACL rules, in order", () => {
  it.each([
    ["user default on nopass", ["default"]],
    ["user default off nopass", []],
    ["user default on nopass off", []],
    ["user default off nopass on", ["default"]],
    [`user default on nopass >${PW}`, []],
    [`user default on >${PW} nopass`, ["default"]],
    ["user default on nopass resetpass", []],
    ["user default on nopass reset", []],
    ["user default on nopass reset on nopass", ["default"]],
    ["user default on nopass #" + "a".repeat(64), []],
    [`user default on >${PW} <${PW}`, []],
    ["user default on nopass !" + "a".repeat(64), ["default"]],
    ["user app on nopass", ["default", "app"]],
    ["USER default on nopass", ["default"]],
  ])("%s: open users %j", (line, users) => {
    // The config also closes the implicit default user unless the line is about it.
    const conf = line.includes("default") ? line : `user default off\n${line}`;
    expect(openUsers(conf)).toEqual(
      line.includes("default") ? users : users.filter((u) => u !== "default"),
    );
  });

  it("requirepass closes the default user; an empty one opens it again", () => {
    expect(openUsers(`requirepass ${PW}`)).toEqual([]);
    expect(openUsers(`requirepass ${PW}\nrequirepass ""`)).toEqual(["default"]);
    expect(auth(`requirepass ${PW}`).passwords).toEqual([
      { where: `${CONF} (requirepass)`, value: PW },
    ]);
  });

  it("collects >passwords for the weak-secret check, with where they were found", () => {
    expect(auth(`user default on >${PW} ~* +@all`).passwords).toEqual([
      { where: `${CONF} (ACL user "default")`, value: PW },
    ]);
  });
});

describe("config lines", () => {
  it("skips comments and blank lines, and reads `user` lines only from an aclfile", () => {
    expect(openUsers(`# user default on nopass\n\n   \nuser default off`)).toEqual([]);
    const acl = `user default on >${PW}\nrequirepass ""\nuser app on nopass`;
    expect(openUsers(`aclfile ${ACL}`, acl)).toEqual(["app"]);
    expect(openUsers(`aclfile ${ACL}`, `# user default on nopass\nuser default off`)).toEqual([]);
  });

  it("follows include, and ignores directives without an argument", () => {
    expect(openUsers(`include ${ACL}`, "user default off")).toEqual([]);
    expect(openUsers("user\ninclude\naclfile\nuser default off")).toEqual([]);
  });
});
