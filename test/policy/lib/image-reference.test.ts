/**
 * The one image-reference grammar (policy/lib/image-reference.ts) against Docker's own tables:
 * distribution/reference (github.com/distribution/reference @ 0965666a6ade) `reference_test.go`
 * TestReferenceParse and `normalize_test.go` TestValidateReferenceName and
 * TestValidateRemoteName, ported row for row; then the pinning rule config applies on top.
 */
import { describe, expect, it } from "vitest";
import {
  digestProblem,
  parseNormalizedNamed,
  parseReference,
  splitDockerDomain,
} from "../../../policy/lib/image-reference";
import {
  checkImageReference,
  isBitnamiImage,
  isRedisImage,
  parseImageRef,
  unpinnedReason,
} from "../../../policy/lib/image";
import {
  checkImageReference as programCheck,
  splitImageReference,
} from "../../../components/lib/image-ref";

const F64 = "f".repeat(64);
const ErrNameEmpty = "repository name must have at least one component";
const ErrReferenceInvalidFormat = "invalid reference format";
const ErrNameContainsUppercase = "repository name must be lowercase";
const ErrNameTooLong = "repository name must not be more than 255 characters";
const ErrDigestInvalidLength = "invalid checksum digest length";
const ErrDigestUnsupported = "unsupported digest algorithm";

interface Row {
  input: string;
  err?: string;
  repository?: string;
  domain?: string;
  tag?: string;
  digest?: string;
}

// TestReferenceParse. `repository` is distribution's Name(): domain + "/" + path.
const referenceParse: Row[] = [
  { input: "test_com", repository: "test_com" },
  { input: "test.com:tag", repository: "test.com", tag: "tag" },
  { input: "test.com:5000", repository: "test.com", tag: "5000" },
  { input: "test.com/repo:tag", domain: "test.com", repository: "test.com/repo", tag: "tag" },
  { input: "test:5000/repo", domain: "test:5000", repository: "test:5000/repo" },
  { input: "test:5000/repo:tag", domain: "test:5000", repository: "test:5000/repo", tag: "tag" },
  {
    input: `test:5000/repo@sha256:${F64}`,
    domain: "test:5000",
    repository: "test:5000/repo",
    digest: `sha256:${F64}`,
  },
  {
    input: `test:5000/repo:tag@sha256:${F64}`,
    domain: "test:5000",
    repository: "test:5000/repo",
    tag: "tag",
    digest: `sha256:${F64}`,
  },
  { input: "", err: ErrNameEmpty },
  { input: ":justtag", err: ErrReferenceInvalidFormat },
  { input: `@sha256:${F64}`, err: ErrReferenceInvalidFormat },
  { input: `repo@sha256:${"f".repeat(34)}`, err: ErrDigestInvalidLength },
  { input: `validname@invaliddigest:${F64}`, err: ErrDigestUnsupported },
  // sha512 is valid, but not registered by default ("crypto/sha512" is not imported)
  { input: `validname@sha512:${"f".repeat(128)}`, err: ErrDigestUnsupported },
  { input: "Uppercase:tag", err: ErrNameContainsUppercase },
  { input: "test:5000/Uppercase/lowercase:tag", err: ErrNameContainsUppercase },
  { input: "lowercase:Uppercase", repository: "lowercase", tag: "Uppercase" },
  { input: `domain/${"a".repeat(256)}:tag`, err: ErrNameTooLong },
  {
    input: `${"a/".repeat(127)}a:tag-puts-this-over-max`,
    domain: "a",
    repository: `${"a/".repeat(127)}a`,
    tag: "tag-puts-this-over-max",
  },
  { input: "aa/asdf$$^/aa", err: ErrReferenceInvalidFormat },
  {
    input: "sub-dom1.foo.com/bar/baz/quux",
    domain: "sub-dom1.foo.com",
    repository: "sub-dom1.foo.com/bar/baz/quux",
  },
  {
    input: "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
    domain: "sub-dom1.foo.com",
    repository: "sub-dom1.foo.com/bar/baz/quux",
    tag: "some-long-tag",
  },
  {
    input: "b.gcr.io/test.example.com/my-app:test.example.com",
    domain: "b.gcr.io",
    repository: "b.gcr.io/test.example.com/my-app",
    tag: "test.example.com",
  },
  {
    input: "xn--n3h.com/myimage:xn--n3h.com", // ☃.com in punycode
    domain: "xn--n3h.com",
    repository: "xn--n3h.com/myimage",
    tag: "xn--n3h.com",
  },
  {
    input: `xn--7o8h.com/myimage:xn--7o8h.com@sha256:${F64}`, // 🐳.com in punycode
    domain: "xn--7o8h.com",
    repository: "xn--7o8h.com/myimage",
    tag: "xn--7o8h.com",
    digest: `sha256:${F64}`,
  },
  { input: "foo_bar.com:8080", repository: "foo_bar.com", tag: "8080" },
  { input: "foo/foo_bar.com:8080", domain: "foo", repository: "foo/foo_bar.com", tag: "8080" },
  { input: "192.168.1.1", repository: "192.168.1.1" },
  { input: "192.168.1.1:tag", repository: "192.168.1.1", tag: "tag" },
  { input: "192.168.1.1:5000", repository: "192.168.1.1", tag: "5000" },
  { input: "192.168.1.1/repo", domain: "192.168.1.1", repository: "192.168.1.1/repo" },
  {
    input: "192.168.1.1:5000/repo",
    domain: "192.168.1.1:5000",
    repository: "192.168.1.1:5000/repo",
  },
  {
    input: "192.168.1.1:5000/repo:5050",
    domain: "192.168.1.1:5000",
    repository: "192.168.1.1:5000/repo",
    tag: "5050",
  },
  { input: "[2001:db8::1]", err: ErrReferenceInvalidFormat },
  { input: "[2001:db8::1]:5000", err: ErrReferenceInvalidFormat },
  { input: "[2001:db8::1]:tag", err: ErrReferenceInvalidFormat },
  { input: "[2001:db8::1]/repo", domain: "[2001:db8::1]", repository: "[2001:db8::1]/repo" },
  {
    input: "[2001:db8:1:2:3:4:5:6]/repo:tag",
    domain: "[2001:db8:1:2:3:4:5:6]",
    repository: "[2001:db8:1:2:3:4:5:6]/repo",
    tag: "tag",
  },
  {
    input: "[2001:db8::1]:5000/repo",
    domain: "[2001:db8::1]:5000",
    repository: "[2001:db8::1]:5000/repo",
  },
  {
    input: "[2001:db8::1]:5000/repo:tag",
    domain: "[2001:db8::1]:5000",
    repository: "[2001:db8::1]:5000/repo",
    tag: "tag",
  },
  {
    input: `[2001:db8::1]:5000/repo@sha256:${F64}`,
    domain: "[2001:db8::1]:5000",
    repository: "[2001:db8::1]:5000/repo",
    digest: `sha256:${F64}`,
  },
  {
    input: `[2001:db8::1]:5000/repo:tag@sha256:${F64}`,
    domain: "[2001:db8::1]:5000",
    repository: "[2001:db8::1]:5000/repo",
    tag: "tag",
    digest: `sha256:${F64}`,
  },
  {
    input: "[2001:db8::]:5000/repo",
    domain: "[2001:db8::]:5000",
    repository: "[2001:db8::]:5000/repo",
  },
  { input: "[::1]:5000/repo", domain: "[::1]:5000", repository: "[::1]:5000/repo" },
  { input: "[fe80::1%eth0]:5000/repo", err: ErrReferenceInvalidFormat },
  { input: "[fe80::1%@invalidzone]:5000/repo", err: ErrReferenceInvalidFormat },
  {
    input: `example.com/${"a".repeat(255)}:tag`,
    domain: "example.com",
    repository: `example.com/${"a".repeat(255)}`,
    tag: "tag",
  },
];

describe("parseReference = distribution/reference Parse (TestReferenceParse)", () => {
  it.each(referenceParse)("$input", (row) => {
    const r = parseReference(row.input);
    if (row.err !== undefined) {
      expect(r).toEqual({ ok: false, error: row.err });
      return;
    }
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.domain).toBe(row.domain ?? "");
    expect(r.domain === "" ? r.path : `${r.domain}/${r.path}`).toBe(row.repository);
    expect(r.tag).toBe(row.tag);
    expect(r.digest).toBe(row.digest);
  });
});

describe("parseNormalizedNamed = distribution/reference ParseNormalizedNamed", () => {
  // TestValidateReferenceName
  it.each([
    "docker/docker",
    "library/debian",
    "debian",
    "localhost/library/debian",
    "localhost/debian",
    "LOCALDOMAIN/library/debian",
    "LOCALDOMAIN/debian",
    "docker.io/docker/docker",
    "docker.io/library/debian",
    "docker.io/debian",
    "index.docker.io/docker/docker",
    "index.docker.io/library/debian",
    "index.docker.io/debian",
    "127.0.0.1:5000/docker/docker",
    "127.0.0.1:5000/library/debian",
    "127.0.0.1:5000/debian",
    "192.168.0.1",
    "192.168.0.1:80",
    "192.168.0.1:8/debian",
    "192.168.0.2:25000/debian",
    "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
    "[fc00::1]:5000/docker",
    "[fc00::1]:5000/docker/docker",
    "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
    // This test case was moved from invalid to valid since it is valid input
    // when specified with a hostname, it removes the ambiguity from about
    // whether the value is an identifier or repository name
    "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
    "Docker/docker",
    "DOCKER/docker",
    // TestValidateRemoteName
    "docker-rules/docker",
    "docker---rules/docker",
    "doc/docker",
    "d/docker",
    "jess/t",
    "dock__er/docker",
  ])("accepts %j", (name) => expect(parseNormalizedNamed(name)).toMatchObject({ ok: true }));

  it.each([
    // TestValidateReferenceName
    "https://github.com/docker/docker",
    "docker/Docker",
    "-docker",
    "-docker/docker",
    "-docker.io/docker/docker",
    "docker///docker",
    "docker.io/docker/Docker",
    "docker.io/docker///docker",
    "[fc00::1]",
    "[fc00::1]:5000",
    "fc00::1:5000/debian",
    "[fe80::1%eth0]:5000/debian",
    "[2001:db8:3:4::192.0.2.33]:5000/debian",
    "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
    // TestValidateRemoteName
    "docker-/docker",
    "-docker-/docker",
    "____/____",
    "_docker/_docker",
    "dock..er/docker",
    "dock_.er/docker",
    "dock-.er/docker",
    "docker/",
    `${"this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_".repeat(4)}/docker`,
  ])("refuses %j", (name) => expect(parseNormalizedNamed(name)).toMatchObject({ ok: false }));

  it("fills in Docker Hub and library/ as docker pull does", () => {
    expect(parseNormalizedNamed("redis:7")).toMatchObject({
      domain: "docker.io",
      path: "library/redis",
      tag: "7",
    });
    expect(splitDockerDomain("index.docker.io/redis")).toEqual({
      domain: "docker.io",
      remainder: "library/redis",
    });
    expect(splitDockerDomain("bitnami/redis")).toEqual({
      domain: "docker.io",
      remainder: "bitnami/redis",
    });
    expect(splitDockerDomain("Registry/app")).toEqual({ domain: "Registry", remainder: "app" });
    expect(splitDockerDomain("/app")).toEqual({ domain: "docker.io", remainder: "/app" });
    expect(parseNormalizedNamed("redis:Tag")).toMatchObject({ ok: true, tag: "Tag" });
    expect(parseReference("REDIS!")).toEqual({ ok: false, error: ErrReferenceInvalidFormat });
  });

  it("names the one reason, like Docker's messages", () => {
    expect(parseNormalizedNamed("Redis:7")).toEqual({
      ok: false,
      error: "invalid reference format: repository name (library/Redis) must be lowercase",
    });
    expect(parseNormalizedNamed("a".repeat(64))).toMatchObject({
      error: expect.stringMatching(/cannot specify 64-byte hexadecimal strings/),
    });
  });
});

describe("digests (go-digest Digest.Validate)", () => {
  it.each([
    [`sha256:${"a".repeat(64)}`, undefined],
    [`sha256:${"A".repeat(64)}`, "invalid checksum digest format"],
    ["sha256:", "invalid checksum digest format"],
    [":abc", "invalid checksum digest format"],
    ["abc", "invalid checksum digest format"],
    [`md5:${"a".repeat(32)}`, ErrDigestUnsupported],
    [`9bad:${"a".repeat(32)}`, "invalid checksum digest format"],
    [`sha256:${"a".repeat(63)}`, ErrDigestInvalidLength],
  ])("%j → %s", (digest, problem) => expect(digestProblem(digest)).toBe(problem));
});

describe("config's pinning rule (checkImageReference), one copy for program and pack", () => {
  it("is the same function from both sides", () => expect(programCheck).toBe(checkImageReference));

  it.each([
    "registry.Example.com/app:1.0", // upper case is valid in a registry host
    "ghcr.io/acme/my__app:1.0", // "__" is a valid separator
    "localhost:5000/api:2",
    "[::1]:5000/api:2",
    "docker---rules/app:1",
    `redis@sha256:${"a".repeat(64)}`,
    `redis:7@sha256:${"a".repeat(64)}`,
    "redis:LATEST", // only the exact tag "latest" floats by name
  ])("accepts %j", (ref) => expect(checkImageReference(ref)).toBeUndefined());

  it.each([
    ["", /^"" is not an image reference$/],
    ["redis :7", /is not an image reference/],
    ["redis", /^"redis" has no tag: pin a version, e.g. "redis:1\.2\.3"$/],
    ["redis:latest", /^"redis:latest" uses "latest": pin a version, e.g. "redis:1\.2\.3"$/],
    ["Redis:7", /not a valid image name \(.*must be lowercase\)/],
    ["ghcr.io/Acme/app:1", /not a valid image name \(.*\(Acme\/app\) must be lowercase\)/],
    ["ghcr.io/acme/-app:1", /not a valid image name \(invalid reference format\)/],
    ["redis@sha256:abc", /malformed digest \(invalid checksum digest length\)/],
    [`redis@md5:${"a".repeat(32)}`, /malformed digest \(unsupported digest algorithm\)/],
    ["redis:-7", /has an invalid tag/],
    [`redis:${"a".repeat(129)}`, /has an invalid tag/],
    ["a".repeat(64), /cannot specify 64-byte hexadecimal strings/],
  ])("refuses %j", (ref, why) => expect(checkImageReference(ref)).toMatch(why));

  it("names the grammar when the name is wrong", () => {
    expect(checkImageReference("a/-b:1")).toBe(
      '"a/-b:1" is not a valid image name (invalid reference format): the repository path is ' +
        'lower-case letters and digits separated by ".", "_", "__" or "-", after an optional ' +
        "registry host",
    );
  });
  it("splits what it cannot parse, for messages", () => {
    expect(splitImageReference("localhost:5000/api")).toEqual({
      repository: "localhost:5000/api",
    });
    expect(splitImageReference("@x")).toEqual({ repository: "", digest: "x" });
    expect(splitImageReference(`a:1@sha256:${F64}`)).toEqual({
      repository: "a",
      tag: "1",
      digest: `sha256:${F64}`,
    });
  });
});

describe("the pack's classification (parseImageRef)", () => {
  it.each([
    ["registry.Example.com/app:1.0", "registry.Example.com", "app"],
    ["Registry/app:1", "Registry", "app"], // upper case marks a host, as in splitDockerDomain
    ["localhost/app:1", "localhost", "app"],
    ["index.docker.io/library/redis:7", "index.docker.io", "redis"],
    ["bitnami/redis:7", undefined, "bitnami/redis"],
    ["library/redis", undefined, "redis"],
    ["redis:7", undefined, "redis"],
  ])("%j: registry %j, path %j", (ref, registry, path) => {
    expect(parseImageRef(ref)).toMatchObject({ registry, path, isId: false });
  });
  it("reads a tag only after the last slash, and keeps a digest", () => {
    expect(parseImageRef("localhost:5000/app")).toMatchObject({ tag: undefined });
    expect(parseImageRef("app:")).toMatchObject({ tag: undefined });
    expect(parseImageRef(` app@sha256:${F64} `)).toMatchObject({
      path: "app",
      digest: `sha256:${F64}`,
    });
    expect(parseImageRef(F64)).toEqual({ path: "", isId: true, digest: F64 });
    expect(parseImageRef("localhost:7")).toEqual({
      registry: undefined,
      path: "localhost",
      tag: "7",
      digest: undefined,
      isId: false,
    });
  });
  it("an image ID is neither Redis nor Bitnami, and is pinned", () => {
    expect(isRedisImage(`sha256:${F64}`)).toBe(false);
    expect(isBitnamiImage(`sha256:${F64}`)).toBe(false);
    expect(unpinnedReason(`sha256:${F64}`, ["latest"])).toBeUndefined();
  });
  it("pinning: empty, an empty digest, floating tags", () => {
    expect(unpinnedReason(" ", ["latest"])).toBe("the image reference is empty");
    expect(unpinnedReason("redis@", ["latest"])).toBe(
      'image "redis@" has no tag, so Docker pulls ":latest"',
    );
    expect(unpinnedReason("redis:7", ["7"])).toBe('image "redis:7" uses the floating tag ":7"');
    expect(unpinnedReason("redis:7", [])).toBeUndefined();
    expect(isRedisImage("ghcr.io/acme/valkey:8")).toBe(true);
    expect(isRedisImage("ghcr.io/acme/REDIS:7")).toBe(true);
  });
});
