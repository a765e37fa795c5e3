import { describe, expect, it } from "vitest";
import { AUTH_TOKEN_SPECIALS, authTokenProblem } from "../../components/lib/auth-token";
import { buildRedisUrl, parseRedisUrl } from "../../components/lib/redis-url";
import { externalUrlProblem } from "../../stacks/config";

describe("ElastiCache auth tokens", () => {
  it("accepts 16–128 printable characters from our special set", () => {
    expect(authTokenProblem(`Ab1${AUTH_TOKEN_SPECIALS}xyz789`)).toBeUndefined();
    expect(authTokenProblem("a".repeat(128))).toBeUndefined();
  });
  it.each([
    ["short1234567890", /16 to 128/],
    ["a".repeat(129), /16 to 128/],
    ["abcdefghijklmnop/q", /"\/"/],
    ['abcdefghijklmnop"q', /"\\""/],
    ["abcdefghijklmnop@q", /"@"/],
    ["abcdefghijklmnop q", /printable/],
    ["abcdefghijklmnopé", /printable/],
  ])("refuses %j", (token, why) => expect(authTokenProblem(token)).toMatch(why));
  it("our special set contains none of the forbidden characters", () => {
    expect(AUTH_TOKEN_SPECIALS).not.toMatch(/[/"@ ]/);
  });
});

describe("Redis URLs", () => {
  it("round-trips through build and parse", () => {
    const c = {
      host: "c.example.com",
      port: 6380,
      tls: true,
      username: "app",
      password: "p@ss/w:rd",
    };
    expect(parseRedisUrl(buildRedisUrl(c))).toEqual(c);
    expect(parseRedisUrl("redis://:pw@[::1]:6379")).toEqual({
      host: "::1",
      port: 6379,
      tls: false,
      username: "default",
      password: "pw",
    });
  });
  it("refuses non-Redis URLs without quoting them", () => {
    expect(() => parseRedisUrl("https://u:secretpw@h:1")).toThrow(/scheme "https"/);
    expect(() => parseRedisUrl("not a url secretpw")).toThrow(/not a valid URL/);
    try {
      parseRedisUrl("https://u:secretpw@h:1");
    } catch (e) {
      expect(String(e)).not.toContain("secretpw");
    }
  });
});

describe("external URL checks", () => {
  const good = "rediss://default:Zx9kQ2mW7vB4nR8tY3pL@valkey.example.com:13345";
  it("accepts a rediss:// URL with a strong password", () => {
    expect(externalUrlProblem(good, true)).toBeUndefined();
    expect(externalUrlProblem(good.replace("rediss", "redis"), false)).toBeUndefined();
  });
  it.each([
    [good.replace("rediss", "redis"), true, /redis:\/\/ \(no TLS\)/],
    ["rediss://default:changeme@h.example.com:1", true, /known default/],
    ["rediss://h.example.com:1", true, /no password/],
    ["rediss://default:Zx9kQ2mW7vB4nR8tY3pL@h.example.com", true, /no port/],
    ["ftp://x:Zx9kQ2mW7vB4nR8tY3pL@h:1", true, /scheme "ftp"/],
  ])("refuses %s (production %s)", (url, prod, why) => {
    const problem = externalUrlProblem(url, prod);
    expect(problem).toMatch(why);
    expect(problem).not.toContain("Zx9kQ2mW7vB4nR8tY3pL");
  });
});
