import { describe, it } from "vitest";
import {
  elasticacheAuthRequired,
  elasticacheAuthTokenFormat,
  elasticacheEncryption,
  elasticacheEngine,
  elasticacheNoStandaloneCluster,
} from "../../../policy/rules/elasticache";
import { secret, UNKNOWN } from "../../../gate";
import { replicationGroupProps, T } from "../corpus/base";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs as args,
} from "../util";

const TOKEN = "Zr8Kq3Wm7Tn2Vx6Pb1Lc5Hy9Jd4Fs0Ga";
const rg = (change: Record<string, unknown> = {}): ReturnType<typeof args> =>
  args(T.replicationGroup, { ...replicationGroupProps(), ...change });

describe("elasticache-encryption", () => {
  it("passes at-rest + required TLS, valkey's default at-rest, and an unset mode with TLS on", async () => {
    await assertNoResourceViolations(elasticacheEncryption, rg());
    await assertNoResourceViolations(
      elasticacheEncryption,
      rg({ atRestEncryptionEnabled: undefined, transitEncryptionMode: undefined }),
    );
  });
  it.each([
    [{ transitEncryptionEnabled: false }, /does not use TLS/],
    [{ transitEncryptionEnabled: undefined }, /does not use TLS/],
    [{ transitEncryptionMode: "preferred" }, /"preferred"/],
    [{ engine: "redis", atRestEncryptionEnabled: undefined }, /at rest/],
    [{ atRestEncryptionEnabled: false }, /at rest/],
    [{ transitEncryptionEnabled: UNKNOWN }, /unknown at preview/],
    [{ transitEncryptionMode: UNKNOWN }, /unknown at preview/],
  ])("refuses %j", (change, message) =>
    assertHasResourceViolation(elasticacheEncryption, rg(change), message),
  );
});

describe("elasticache-auth-required", () => {
  it("passes authToken, user groups, unknown tokens and password users", async () => {
    await assertNoResourceViolations(elasticacheAuthRequired, rg());
    await assertNoResourceViolations(
      elasticacheAuthRequired,
      rg({ authToken: undefined, userGroupIds: ["ug-1"] }),
    );
    await assertNoResourceViolations(
      elasticacheAuthRequired,
      rg({ authToken: undefined, userGroupIds: [UNKNOWN] }),
    );
    await assertNoResourceViolations(elasticacheAuthRequired, rg({ authToken: secret(UNKNOWN) }));
    await assertNoResourceViolations(
      elasticacheAuthRequired,
      rg({ authToken: undefined, authTokenWo: secret(UNKNOWN) }),
    );
    await assertNoResourceViolations(
      elasticacheAuthRequired,
      args(T.user, { authenticationMode: { type: "iam" } }),
    );
    await assertNoResourceViolations(
      elasticacheAuthRequired,
      args(T.serverless, { engine: "valkey", userGroupId: UNKNOWN }),
    );
  });
  it("refuses no auth, a wholly unknown user group list, serverless without user group", async () => {
    await assertHasResourceViolation(
      elasticacheAuthRequired,
      rg({ authToken: undefined }),
      /neither authToken nor userGroupIds/,
    );
    await assertHasResourceViolation(
      elasticacheAuthRequired,
      rg({ authToken: undefined, userGroupIds: UNKNOWN }),
      /unknown at preview/,
    );
    await assertHasResourceViolation(
      elasticacheAuthRequired,
      args(T.serverless, { engine: "valkey" }),
      /no userGroupId/,
    );
  });
  it("passes a passwordless user only while disabled (the last on/off is off)", async () => {
    for (const accessString of ["off -@all", "off ~* +@all", "on ~* off"]) {
      await assertNoResourceViolations(
        elasticacheAuthRequired,
        args(T.user, { userName: "default", accessString, noPasswordRequired: true }),
      );
    }
    await assertNoResourceViolations(
      elasticacheAuthRequired,
      args(T.user, {
        userName: "default",
        accessString: "off -@all",
        authenticationMode: { type: "no-password-required" },
      }),
    );
  });
  it("refuses an enabled passwordless user, and unknown modes or access strings", async () => {
    for (const accessString of ["on ~* +@all", "~* +@all", "off ~* on", undefined]) {
      await assertHasResourceViolation(
        elasticacheAuthRequired,
        args(T.user, { accessString, noPasswordRequired: true }),
        /needs no password and is enabled/,
      );
    }
    await assertHasResourceViolation(
      elasticacheAuthRequired,
      args(T.user, {
        accessString: "on ~* +@all",
        authenticationMode: { type: "no-password-required" },
      }),
      /needs no password/,
    );
    await assertHasResourceViolation(
      elasticacheAuthRequired,
      args(T.user, { accessString: UNKNOWN, noPasswordRequired: true }),
      /`accessString`.*unknown at preview/,
    );
    await assertHasResourceViolation(
      elasticacheAuthRequired,
      args(T.user, { accessString: "on ~* +@all", noPasswordRequired: UNKNOWN }),
      /unknown at preview/,
    );
  });
});

describe("elasticache-auth-token-format", () => {
  const user = (passwords: unknown[]): ReturnType<typeof args> =>
    args(T.user, { userName: "app", accessString: "on ~* +@all", passwords });
  it("passes valid tokens, unknown tokens, and valid user passwords", async () => {
    await assertNoResourceViolations(elasticacheAuthTokenFormat, rg());
    await assertNoResourceViolations(
      elasticacheAuthTokenFormat,
      rg({ authToken: secret(UNKNOWN) }),
    );
    await assertNoResourceViolations(
      elasticacheAuthTokenFormat,
      rg({ authToken: "Ab1!#$%^&*()-_=+[]{}<>:?~|;,.'`" }),
    );
    await assertNoResourceViolations(
      elasticacheAuthTokenFormat,
      rg({ authToken: "a".repeat(128) }),
    );
    await assertNoResourceViolations(elasticacheAuthTokenFormat, user([secret(TOKEN), UNKNOWN]));
    await assertNoResourceViolations(
      elasticacheAuthTokenFormat,
      args(T.user, { authenticationMode: { type: "password", passwords: [secret(TOKEN)] } }),
    );
  });
  it.each([
    ["@", `${TOKEN}@x`, /'@'/],
    ["/", `${TOKEN}/x`, /'\/'/],
    ['"', `${TOKEN}"x`, /'"'/],
    ["space", `${TOKEN} x`, /space/],
    ["non-ASCII", `${TOKEN}é`, /U\+00e9/],
    ["15 chars", "Ab3dEf6hIj9kLm0", /15 characters long/],
    ["129 chars", "a".repeat(129), /129 characters long/],
  ])("refuses a token with %s", (_, token, message) =>
    assertHasResourceViolation(
      elasticacheAuthTokenFormat,
      rg({ authToken: secret(token) }),
      message,
    ),
  );
  it("checks authTokenWo, cluster tokens and both user password lists", async () => {
    await assertHasResourceViolation(
      elasticacheAuthTokenFormat,
      rg({ authToken: undefined, authTokenWo: `${TOKEN}@` }),
      /`authTokenWo`/,
    );
    await assertHasResourceViolation(
      elasticacheAuthTokenFormat,
      args(T.cluster, { authToken: `${TOKEN}/` }),
      /'\/'/,
    );
    await assertHasResourceViolation(elasticacheAuthTokenFormat, user([TOKEN, `${TOKEN}@`]), /#2/);
    await assertHasResourceViolation(
      elasticacheAuthTokenFormat,
      args(T.user, { authenticationMode: { type: "password", passwords: [`${TOKEN}"`] } }),
      /Password #1/,
    );
  });
  it('applies the stricter "aws-docs" charset when configured', async () => {
    const docs = { config: { authTokenCharset: "aws-docs" } };
    await assertNoResourceViolations(
      elasticacheAuthTokenFormat,
      args(T.replicationGroup, { authToken: `${TOKEN}!&#$^<>-` }, docs),
    );
    await assertHasResourceViolation(
      elasticacheAuthTokenFormat,
      args(T.replicationGroup, { authToken: `${TOKEN}%*` }, docs),
      /'%', '\*'.*! & # \$ \^ < > -/,
    );
  });
});

describe("elasticache-engine", () => {
  it("passes valkey, redis and the replication group default", async () => {
    await assertNoResourceViolations(elasticacheEngine, rg());
    await assertNoResourceViolations(elasticacheEngine, rg({ engine: undefined }));
    await assertNoResourceViolations(elasticacheEngine, args(T.serverless, { engine: "redis" }));
  });
  it("refuses memcached, a missing serverless engine and an unknown engine", async () => {
    await assertHasResourceViolation(elasticacheEngine, rg({ engine: "memcached" }), /memcached/);
    await assertHasResourceViolation(elasticacheEngine, args(T.serverless, {}), /unset/);
    await assertHasResourceViolation(
      elasticacheEngine,
      args(T.serverless, { engine: UNKNOWN }),
      /unknown at preview/,
    );
  });
});

describe("elasticache-no-standalone-cluster", () => {
  it("passes replication-group members", () =>
    assertNoResourceViolations(
      elasticacheNoStandaloneCluster,
      args(T.cluster, { replicationGroupId: "rg-1" }),
    ));
  it("refuses a standalone redis/valkey node", async () => {
    await assertHasResourceViolation(
      elasticacheNoStandaloneCluster,
      args(T.cluster, { engine: "valkey" }),
      /standalone valkey/,
    );
    await assertHasResourceViolation(
      elasticacheNoStandaloneCluster,
      args(T.cluster, { engine: "redis", replicationGroupId: UNKNOWN }),
      /unknown at preview/,
    );
  });
});
