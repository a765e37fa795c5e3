/** ElastiCache tokens, RBAC users and the generators behind them, in the program's shape. */
import { ResourceRecord, secret, UNKNOWN, urnOf } from "../../../gate";
import { res, T, vpc } from "./base";
import { replicationGroupStack, serverlessStack } from "./elasticache-base";
import { BadCase } from "./types";

type Props = Record<string, unknown>;

/** `stack` with the properties of the resource named `name` changed by `mutate`. */
export function change(
  stack: readonly ResourceRecord[],
  name: string,
  mutate: (p: Props) => void,
  extra: Partial<ResourceRecord> = {},
): ResourceRecord[] {
  if (!stack.some((r) => r.name === name)) {
    throw new Error(`no resource ${name} in the corpus stack`);
  }
  return stack.map((r) => {
    if (r.name !== name) {
      return r;
    }
    const properties = { ...r.properties };
    mutate(properties);
    return { ...r, properties, ...extra };
  });
}

const upToken = (token: string): ResourceRecord[] =>
  change(replicationGroupStack("up"), "cache-group", (p) => (p.authToken = secret(token)));

/** A first preview whose token generator has `props` instead of the program's. */
function previewGenerator(build: typeof replicationGroupStack, name: string, props: Props) {
  const edit = (s: ResourceRecord[]) =>
    change(s, name, (p) => {
      delete p.overrideSpecial;
      Object.assign(p, props);
    });
  return { stack: edit(build("preview-inputs")), outputs: edit(build("preview-outputs")) };
}

export const elasticacheAuthCases: BadCase[] = [
  {
    name: 'ElastiCache token "changeme-changeme"',
    lesson: "the placeholder from the README was deployed",
    stack: upToken("changeme-changeme"),
    expect: [{ policy: "no-weak-secrets", message: /authToken.*placeholder/ }],
  },
  {
    name: "ElastiCache token containing @",
    lesson: "CreateReplicationGroup failed with Invalid AuthToken after the preview passed",
    stack: upToken("Zr8Kq3Wm7Tn2Vx6P@b1Lc5Hy9Jd4Fs0Ga"),
    expect: [{ policy: "elasticache-auth-token-format", message: /'@'/ }],
  },
  {
    name: "ElastiCache token containing /",
    lesson: "a base64 token from openssl rand -base64",
    stack: upToken("Zr8Kq3Wm7Tn2Vx6P/b1Lc5Hy9Jd4Fs0Ga+="),
    expect: [{ policy: "elasticache-auth-token-format", message: /'\/'/ }],
  },
  {
    name: "ElastiCache token with a space, and too short",
    lesson: "a passphrase pasted into config",
    stack: upToken("correct horse"),
    expect: [{ policy: "elasticache-auth-token-format", message: /space.*|13 characters long/ }],
  },
  {
    name: "RandomPassword token with the default special set (contains @), at preview",
    lesson: "special: true without overrideSpecial emits @ one token in a few",
    ...previewGenerator(replicationGroupStack, "cache-auth-token", { special: true }),
    expect: [
      { policy: "unknown-value-provenance", message: /`authToken`.*'@'.*default special set/ },
    ],
  },
  {
    name: 'RandomPassword token whose overrideSpecial includes / and "',
    lesson: "someone copied the RDS example's special set",
    ...previewGenerator(replicationGroupStack, "cache-auth-token", {
      special: true,
      overrideSpecial: '!#$%&*()-_=+[]{}<>:?/"',
    }),
    expect: [{ policy: "unknown-value-provenance", message: /'\/', '"'/ }],
  },
  {
    name: "RandomPassword token with special off but minSpecial > 0",
    lesson: "minSpecial still draws from the default set, @ included",
    ...previewGenerator(replicationGroupStack, "cache-auth-token", {
      special: false,
      minSpecial: 4,
    }),
    expect: [{ policy: "unknown-value-provenance", message: /'@'/ }],
  },
  {
    name: "RandomPassword token longer than 128",
    lesson: "length 256 'for extra safety' is refused by ElastiCache",
    ...previewGenerator(replicationGroupStack, "cache-auth-token", {
      length: 256,
      special: false,
    }),
    expect: [{ policy: "unknown-value-provenance", message: /length 256 > 128/ }],
  },
  {
    name: "ElastiCache token from a RandomId, at preview",
    lesson: "b64Std contains / and +; the pack cannot see which output was used",
    stack: (() => {
      const id = res(T.randomId, "cache-token-id", { byteLength: 32 });
      const s = change(replicationGroupStack("preview-inputs"), "cache-group", () => undefined, {
        propertyDependencies: { authToken: [id.urn] },
      });
      return [id, ...s];
    })(),
    expect: [{ policy: "unknown-value-provenance", message: /base64 outputs/ }],
  },
  {
    name: "RBAC user password from a RandomPassword with the default special set",
    lesson: "CreateUser failed on a password containing @",
    ...previewGenerator(serverlessStack, "cache-app-password", { special: true }),
    expect: [{ policy: "unknown-value-provenance", message: /`passwords` of User.*'@'/ }],
  },
  {
    name: "RBAC app user with noPasswordRequired",
    lesson: "a passwordless user with full access in the user group",
    stack: change(serverlessStack("up"), "cache-app-user", (p) => {
      p.noPasswordRequired = true;
      delete p.passwords;
    }),
    expect: [{ policy: "elasticache-auth-required", message: /needs no password and is enabled/ }],
  },
  {
    name: "RBAC default user enabled without a password",
    lesson: 'the "default" user left "on" turned RBAC off in practice',
    stack: change(serverlessStack("up"), "cache-default-user", (p) => {
      p.noPasswordRequired = true;
      p.accessString = "on ~* +@all";
      delete p.passwords;
    }),
    expect: [
      { policy: "elasticache-auth-required", message: /"cache-default-user" needs no password/ },
    ],
  },
  {
    name: 'RBAC user password containing "',
    lesson: "a password with a double quote broke CreateUser",
    stack: change(serverlessStack("up"), "cache-app-user", (p) => {
      p.passwords = [secret('Hb4!Zk8$Mq2%Rv6^Tw0&"Yc3*Ld7(Pf1)')];
    }),
    expect: [{ policy: "elasticache-auth-token-format", message: /Password #1.*'"'/ }],
  },
  {
    name: "Serverless userGroupId unknown at preview, from no UserGroup",
    lesson: "a group id read from an untracked lookup that returned nothing",
    stack: change(serverlessStack("preview-inputs"), "cache-serverless", () => undefined, {
      propertyDependencies: { subnetIds: [vpc.urn], securityGroupIds: [urnOf(T.sg, "cache-sg")] },
      dependencies: [],
    }),
    expect: [{ policy: "unknown-value-provenance", message: /`userGroupId`.*UserGroup/ }],
  },
  {
    name: "Replication group with a wholly unknown user group list and no token",
    lesson: "an unknown list may be empty: RBAC could not be verified",
    stack: change(replicationGroupStack("preview-inputs"), "cache-group", (p) => {
      delete p.authToken;
      p.userGroupIds = UNKNOWN;
    }),
    expect: [{ policy: "elasticache-auth-required", message: /unknown at preview/ }],
  },
];
