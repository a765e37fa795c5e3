/**
 * no-secrets-in-command's finder (secretsInCommand) and the rule on each command-like field,
 * one word at a time: secret flags inline and split, assignments, `--user` ACL rules, redis-cli
 * -a, Redis URLs and bearer tokens; each literal against the same word reading a variable.
 */
import { describe, expect, it } from "vitest";
import { noSecretsInCommand, secretsInCommand } from "../../../policy/rules/secrets";
import { apiProps, T } from "../corpus/base";
import { createResourceValidationArgs as args, runResourcePolicy } from "../util";

const PW = "Qm7z2Kp9wTx4Lr8bVd3N";
const argv = (...words: string[]) => secretsInCommand(words, words.join(" "));

// A word holding the password also reads as a long random string (policy/lib/secrets.ts
// secretInValue); the list names each finding once.
describe("secretsInCommand", () => {
  it.each([
    [["redis-server", "--requirepass", PW], ["--requirepass <literal>"]],
    [
      ["redis-server", `--requirepass=${PW}`],
      ["--requirepass <literal>", "a long random string (a key or token)"],
    ],
    [
      ["redis-server", `--REQUIREPASS=${PW}`],
      ["--REQUIREPASS <literal>", "a long random string (a key or token)"],
    ],
    [["redis-server", "--requirepass", "$REDIS_PASSWORD"], []],
    [["redis-server", "--requirepass=${REDIS_PASSWORD}"], []],
    [["redis-server", "--requirepass", ""], []],
    [["redis-server", "--requirepass"], []],
    [["redis-server", "--port=6379"], []],
    [
      [`REDIS_PASSWORD=${PW}`, "app"],
      ["REDIS_PASSWORD=<literal>", "a long random string (a key or token)"],
    ],
    [["REDIS_PASSWORD=$FROM_FILE", "app"], []],
    [[`PORT=3003`, "app"], []],
    [["redis-server", "--user", "app", "on", `>${PW}`, "--port", "6379"], ["--user … >password"]],
    [["redis-server", "--user", "app on >$PW", "--port", "6379"], []],
    [["redis-server", "--user", "app on >", "--user", "x"], []],
    [["redis-cli", "-a", PW, "ping"], ["redis-cli -a <literal>"]],
    [["redis-cli", "-a", "$REDIS_PASSWORD", "ping"], []],
  ])("%j finds %j", (words, found) => {
    expect(argv(...words)).toEqual(found);
  });

  it("finds a Redis URL's password once (not again as URL userinfo), and a bearer token", () => {
    const url = `redis://:${PW}@cache:6379`;
    const found = secretsInCommand(["app", url], `app ${url}`);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^URL redis:\/\//);
    expect(found[0]).not.toContain(PW);
    expect(
      secretsInCommand(["app", "redis://:$P@cache:6379"], "app redis://:$P@cache:6379"),
    ).toEqual([]);
    const bearer = secretsInCommand(
      ["curl", "-H", `Authorization: Bearer ${PW}`],
      `curl -H "Authorization: Bearer ${PW}"`,
    );
    expect(bearer.length).toBeGreaterThan(0);
  });
});

describe("no-secrets-in-command on each field", () => {
  const run = async (patch: Record<string, unknown>) =>
    (
      await runResourcePolicy(
        noSecretsInCommand,
        args(T.container, { ...apiProps(), ...patch }, { name: "api" }),
      )
    ).map((v) => v.message);

  it("reads command and entrypoints in exec and shell form, and the healthcheck in both forms", async () => {
    expect((await run({ command: ["redis-server", "--requirepass", PW] }))[0]).toContain(
      "The command of container",
    );
    expect(
      (await run({ entrypoints: ["sh", "-c", `redis-server --requirepass ${PW}`] }))[0],
    ).toContain("The entrypoints of container");
    expect(
      (await run({ healthcheck: { tests: ["CMD", "redis-cli", "-a", PW, "ping"] } }))[0],
    ).toContain("The healthcheck of container");
    expect(
      (
        await run({ healthcheck: { tests: ["CMD-SHELL", `redis-cli -a ${PW} ping | grep PONG`] } })
      )[0],
    ).toContain("contains a literal password (redis-cli -a <literal>)");
  });

  it("passes the same fields reading the password at run time", async () => {
    expect(await run({ command: ["redis-server", "--requirepass", "$REDIS_PASSWORD"] })).toEqual(
      [],
    );
    expect(
      await run({ entrypoints: ["sh", "-c", 'redis-server --requirepass "$REDIS_PASSWORD"'] }),
    ).toEqual([]);
    expect(
      await run({
        healthcheck: {
          tests: ["CMD-SHELL", 'REDISCLI_AUTH="$(cat /p)" redis-cli ping | grep PONG'],
        },
      }),
    ).toEqual([]);
  });
});
