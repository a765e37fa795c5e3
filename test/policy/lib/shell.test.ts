/**
 * The pack's shell reader (policy/lib/shell.ts), and why it is not shell-quote.
 *
 * shell-quote (installed, 1.x) was the candidate replacement. It loses exactly what the rules
 * read: an unquoted `$(…)` comes apart into "$", "(" … ")", `$PW` expands to "" (so redis-auth
 * can no longer say which variable holds the password), and backticks are not operators. The
 * first block pins those behaviours: if a shell-quote release changes them, this fails and the
 * switch is worth trying again.
 */
import { parse as shellQuoteParse } from "shell-quote";
import { describe, expect, it } from "vitest";
import {
  basename,
  cliInvocationsInArgv,
  cliInvocationsInScript,
  firstCommand,
  shellScript,
  tokenize,
} from "../../../policy/lib/shell";

describe("shell-quote loses what the rules read (why we keep our tokenizer)", () => {
  it("splits an unquoted command substitution", () => {
    expect(shellQuoteParse("x=$(cat /run/p) redis-cli ping")).toEqual([
      "x=$",
      { op: "(" },
      "cat",
      "/run/p",
      { op: ")" },
      "redis-cli",
      "ping",
    ]);
  });
  it("expands a variable to nothing, losing its name", () => {
    expect(shellQuoteParse('redis-cli -a "$PW" ping')).toEqual(["redis-cli", "-a", "", "ping"]);
  });
  it("does not treat backticks as command substitution", () => {
    expect(shellQuoteParse("a `redis-cli ping` b")).toEqual(["a", "`redis-cli", "ping`", "b"]);
  });
});

const words = (s: string) => tokenize(s).map((t) => t.text);

describe("tokenize", () => {
  it("keeps $(…) as one word, quoted or not, nested too", () => {
    expect(words("x=$(cat /run/p) redis-cli ping")).toEqual([
      "x=$(cat /run/p)",
      "redis-cli",
      "ping",
    ]);
    expect(words("a=$(echo $(id -u)) b")).toEqual(["a=$(echo $(id -u))", "b"]);
    expect(words('A="$(cat "/x y")" b')).toEqual(['A=$(cat "/x y")', "b"]);
  });
  it("keeps variables by name", () => {
    expect(words('redis-cli -a "$PW" ping')).toEqual(["redis-cli", "-a", "$PW", "ping"]);
    expect(words("redis-cli -a $PW ping")).toEqual(["redis-cli", "-a", "$PW", "ping"]);
  });
  it("removes quotes and escapes, and marks quoted words", () => {
    expect(tokenize(`'a b' "c\\"d" e\\ f g`)).toEqual([
      { text: "a b", op: false, quoted: true },
      { text: 'c"d', op: false, quoted: true },
      { text: "e f", op: false, quoted: false },
      { text: "g", op: false, quoted: false },
    ]);
    expect(words("'unterminated")).toEqual(["unterminated"]);
    expect(words("''")).toEqual([""]);
  });
  it("separates every operator, two-character ones whole", () => {
    expect(
      tokenize("a|b||c&d&&e;f(g)h\ni`j`")
        .filter((t) => t.op)
        .map((t) => t.text),
    ).toEqual(["|", "||", "&", "&&", ";", "(", ")", "\n", "`", "`"]);
    expect(words("a&&b")).toEqual(["a", "&&", "b"]);
  });
  it("splits on any whitespace and drops empty words", () => {
    expect(words("  a\t b  ")).toEqual(["a", "b"]);
    expect(tokenize("")).toEqual([]);
  });
});

describe("commands", () => {
  it("firstCommand stops at the first operator", () => {
    expect(firstCommand(tokenize("redis-cli ping | grep PONG"))).toEqual(["redis-cli", "ping"]);
    expect(firstCommand(tokenize("; x"))).toEqual([]);
  });
  it("basename", () => {
    expect([basename("/usr/bin/redis-cli"), basename("redis-cli"), basename("a/")]).toEqual([
      "redis-cli",
      "redis-cli",
      "",
    ]);
  });
  it.each([
    [["sh", "-c", "x"], "x"],
    [["/bin/bash", "-ec", "x"], "x"],
    [["ash", "-c"], ""],
    [["dash", "-xc", "y"], "y"],
    [["zsh", "-c", "z"], "z"],
    [["sh", "x"], undefined],
    [["sh", "--c", "x"], undefined],
    [["python", "-c", "x"], undefined],
    [[], undefined],
  ])("shellScript(%j) = %j", (argv, script) => expect(shellScript(argv)).toBe(script));
});

describe("redis-cli invocations", () => {
  it("reads options with and without values, then the command and its arguments", () => {
    const [inv] = cliInvocationsInScript(
      "redis-cli -h 127.0.0.1 -p 6379 --tls --user probe --pass $P -n 0 SET k v",
    );
    expect(inv).toMatchObject({ cli: "redis-cli", command: "set", commandArgs: ["k", "v"] });
    expect(Object.fromEntries(inv?.options ?? [])).toEqual({
      "-h": "127.0.0.1",
      "-p": "6379",
      "--tls": true,
      "--user": "probe",
      "--pass": "$P",
      "-n": "0",
    });
  });
  it("has no command for an interactive session, and a value-less option at the end", () => {
    expect(cliInvocationsInScript("redis-cli -a")[0]).toMatchObject({ command: undefined });
    expect(cliInvocationsInScript("redis-cli -a")[0]?.options.get("-a")).toBe("");
    expect(cliInvocationsInScript("redis-cli - ping")[0]?.command).toBe("-");
  });
  it.each([
    ["valkey-cli ping", "valkey-cli"],
    ["keydb-cli ping", "keydb-cli"],
    ["/usr/local/bin/redis-cli ping", "redis-cli"],
    ["x=`redis-cli ping`", "redis-cli"],
    ["(redis-cli ping)", "redis-cli"],
    ["a;redis-cli ping", "redis-cli"],
    ["a|redis-cli ping", "redis-cli"],
    ["a&&redis-cli ping", "redis-cli"],
  ])("finds the CLI in %j", (script, cli) => {
    expect(cliInvocationsInScript(script)[0]).toMatchObject({ cli, command: "ping" });
  });
  it.each(['"redis-cli" ping', "'redis-cli' ping"])("finds a quoted CLI name in %j", (script) => {
    expect(cliInvocationsInScript(script).map((i) => i.cli)).toEqual(["redis-cli"]);
  });
  it.each(["my-redis-cli ping", "redis-cli2 ping", "redis-clix", "echo redis-cli-wrapper"])(
    "does not mistake %j for the CLI",
    (script) => expect(cliInvocationsInScript(script)).toEqual([]),
  );
  it("finds each invocation in a script", () => {
    expect(
      cliInvocationsInScript("redis-cli ping && redis-cli incr n").map((i) => i.command),
    ).toEqual(["ping", "incr"]);
  });
  it("reads exec argv directly, or the script of sh -c", () => {
    expect(cliInvocationsInArgv(["redis-cli", "--raw", "PING"])[0]).toMatchObject({
      cli: "redis-cli",
      command: "ping",
      commandArgs: [],
    });
    expect(cliInvocationsInArgv(["sh", "-c", "valkey-cli ping"])[0]?.cli).toBe("valkey-cli");
    expect(cliInvocationsInArgv(["sh", "-c", "echo hi"])).toEqual([]);
    expect(cliInvocationsInArgv(["curl", "-f", "http://x"])).toEqual([]);
    expect(cliInvocationsInArgv(["x", "redis-cli-x", "ping"])).toEqual([]);
  });
});
