/**
 * policy/lib/docker.ts on its own: which containers are one-shot, how a container is recognised
 * as a Redis/Valkey server (image first, then command, then a redis-cli ping healthcheck), and the
 * label every container message starts with. Written from Stryker's survivors (docs/testing.md).
 */
import { describe, expect, it } from "vitest";
import { containerLabel, isOneShot, redisIdentity } from "../../../policy/lib/docker";
import { UNKNOWN } from "../../../policy/lib/unknown";

const ID = "sha256:" + "a".repeat(64);
const PING = ["CMD-SHELL", "redis-cli -h 127.0.0.1 ping | grep -qx PONG"];

describe("isOneShot", () => {
  it("is false for a plain long-running container", () => {
    expect(isOneShot({})).toBe(false);
    expect(isOneShot({ attach: false, rm: false, mustRun: true, start: true })).toBe(false);
  });
  it.each([
    ["attach: true", { attach: true }],
    ["rm: true", { rm: true }],
    ["mustRun: false", { mustRun: false }],
    ["start: false", { start: false }],
  ])("each one-shot marker alone makes it one-shot: %s", (_, p) => {
    expect(isOneShot(p)).toBe(true);
  });
  it("only the booleans count, not truthy or falsy look-alikes", () => {
    expect(isOneShot({ attach: "true", rm: 1, mustRun: 0, start: "" })).toBe(false);
  });
});

describe("redisIdentity: a readable image decides first", () => {
  it("a Redis image is Redis, and the reason names the image", () => {
    expect(redisIdentity({ image: "redis:7.4-alpine" })).toEqual({
      redis: true,
      reason: 'image "redis:7.4-alpine"',
      imageOpaque: false,
    });
  });
  it("another image is not Redis, and the reason names the image", () => {
    expect(redisIdentity({ image: "nginx:1.27" })).toEqual({
      redis: false,
      reason: 'image "nginx:1.27"',
      imageOpaque: false,
    });
  });
  it("another image whose command runs redis-server is Redis (argv form)", () => {
    expect(
      redisIdentity({ image: "debian:12", command: ["/usr/bin/redis-server", "/etc/r.conf"] }),
    ).toEqual({ redis: true, reason: "its command runs redis-server", imageOpaque: false });
  });
  it.each(["valkey-server", "keydb-server", "redis-stack-server"])(
    "the server binaries of the forks count too: %s",
    (bin) => {
      expect(redisIdentity({ image: "debian:12", command: [bin] }).redis).toBe(true);
    },
  );
  it("a command inside sh -c is read as a script", () => {
    const p = { image: "debian:12", command: ["sh", "-c", "exec redis-server --port 6380"] };
    expect(redisIdentity(p).redis).toBe(true);
  });
  it("only the whole binary name counts, not a prefix or suffix of it", () => {
    for (const bin of ["redis-server-wrapper", "my-redis-server", "redis-cli", "redis"]) {
      expect(redisIdentity({ image: "debian:12", command: [bin] }).redis, bin).toBe(false);
    }
  });
  it("a command given as one string (not a list) does not count", () => {
    expect(redisIdentity({ image: "debian:12", command: "redis-server" }).redis).toBe(false);
  });
  it("non-string entries in the command are skipped, not fatal", () => {
    expect(redisIdentity({ image: "debian:12", command: [42, "redis-server"] }).redis).toBe(true);
  });
  it("a readable non-Redis image is not overridden by a ping healthcheck", () => {
    expect(redisIdentity({ image: "nginx:1.27", healthcheck: { tests: PING } }).redis).toBe(false);
  });
});

describe("redisIdentity: an opaque image (unknown, or an image ID)", () => {
  it.each([
    ["unknown at preview", UNKNOWN],
    ["an image ID", ID],
  ])("%s with a redis-server command is Redis, image opaque", (_, image) => {
    expect(redisIdentity({ image, command: ["redis-server"] })).toEqual({
      redis: true,
      reason: "its command runs redis-server",
      imageOpaque: true,
    });
  });
  it.each([
    ["unknown at preview", UNKNOWN],
    ["an image ID", ID],
  ])("%s with a redis-cli ping healthcheck is Redis, image opaque", (_, image) => {
    expect(redisIdentity({ image, healthcheck: { tests: PING } })).toEqual({
      redis: true,
      reason: "its healthcheck pings redis-cli",
      imageOpaque: true,
    });
  });
  it("a healthcheck that runs redis-cli but not ping does not count", () => {
    const hc = { tests: ["CMD", "redis-cli", "info"] };
    expect(redisIdentity({ image: ID, healthcheck: hc }).redis).toBe(false);
  });
  it("an unknown healthcheck, or none, leaves it undecided: not Redis, image opaque", () => {
    for (const healthcheck of [UNKNOWN, undefined, null]) {
      expect(redisIdentity({ image: ID, healthcheck })).toEqual({
        redis: false,
        reason: "its image is not readable",
        imageOpaque: true,
      });
    }
  });
  it("a missing image is not opaque (nothing to read), and not Redis", () => {
    expect(redisIdentity({})).toEqual({
      redis: false,
      reason: "its image is not readable",
      imageOpaque: false,
    });
  });
});

describe("containerLabel", () => {
  it("names the container and its image", () => {
    expect(containerLabel("api", { image: "ghcr.io/acme/api:1.4.2" })).toBe(
      'container "api" (ghcr.io/acme/api:1.4.2)',
    );
  });
  it("leaves out an image that is unknown or not a string", () => {
    expect(containerLabel("api", { image: UNKNOWN })).toBe('container "api"');
    expect(containerLabel("api", { image: 7 })).toBe('container "api"');
    expect(containerLabel("api", {})).toBe('container "api"');
  });
});
