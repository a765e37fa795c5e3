/**
 * The mocked providers' side of a program run: realistic outputs for each resource type the
 * program creates, the provider functions it calls, and a previous run's outputs carried into
 * the next one.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { UNKNOWN } from "../../policy/lib/unknown";
import { AWS_ACCOUNT, awsMockState } from "./mock-state-aws";
import type { ProgramRun } from "./records";

/** The key `RunOptions.prior` uses; the mocks see no URN, only type and logical name. */
export function priorKey(type: string, name: string): string {
  return `${type}::${name}`;
}

/** A run's outputs as the `prior` of the next run. */
export function priorOf(run: ProgramRun): Record<string, Record<string, unknown>> {
  return Object.fromEntries(run.resources.map((r) => [priorKey(r.type, r.name), r.state]));
}

/** The outputs a resource keeps from the previous run: all of them if its inputs are unchanged. */
export function fromPrior(
  prior: Record<string, unknown> | undefined,
  type: string,
  inputs: Record<string, unknown>,
  fresh: Record<string, unknown>,
): Record<string, unknown> {
  if (!prior) return fresh;
  const same = Object.entries(inputs).every(
    ([k, v]) => v === undefined || JSON.stringify(prior[k]) === JSON.stringify(v),
  );
  if (same) return prior;
  // Changed inputs: a new result, but an auto-named Docker resource keeps its name.
  return type.startsWith("docker:") && typeof prior.name === "string" && inputs.name === undefined
    ? { ...fresh, name: prior.name }
    : fresh;
}

/** Realistic provider outputs, so the program sees what `pulumi up` would hand it. */
export function mockState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  preview: boolean,
): Record<string, unknown> {
  const suffix = randomBytes(4).toString("hex").slice(0, 7);
  // A provider's preview (Create with preview=true) returns the outputs it cannot know yet as
  // unknowns, which the SDK hands the program as unknown Outputs and the engine keeps in the
  // resource's outputs for AnalyzeStack (pulumi/pulumi pkg/resource/deploy/step.go CreateStep.Apply:
  // `outs = resp.Properties`).
  const known = (v: unknown) => (preview ? UNKNOWN : v);
  switch (type) {
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: known(randomPasswordLike(inputs)) };
    case "random:index/randomId:RandomId": {
      const bytes = randomBytes(Number(inputs.byteLength ?? 32));
      return {
        ...inputs,
        hex: known(bytes.toString("hex")),
        b64Std: known(bytes.toString("base64")),
      };
    }
    case "docker:index/network:Network":
    case "docker:index/volume:Volume":
    case "docker:index/container:Container":
      return { ...inputs, name: inputs.name ?? `${name}-${suffix}` };
    case "aws:ec2/securityGroup:SecurityGroup":
      return { ...inputs, id: known(`sg-0${suffix}`), name: `${name}-${suffix}` };
    case "aws:elasticache/subnetGroup:SubnetGroup":
    case "aws:elasticache/parameterGroup:ParameterGroup":
    case "aws:cloudwatch/logGroup:LogGroup":
      return { ...inputs, name: `${name}-${suffix}` };
    case "aws:elasticache/replicationGroup:ReplicationGroup": {
      // The group id is auto-named; its member clusters are "<group>-001", "-002" … (ElastiCache
      // User Guide, AutoFailover.md: members "redis12-001" and "redis12-002" of "redis12"),
      // computed by AWS and so unknown at preview.
      const groupId = String(inputs.replicationGroupId ?? `${name}-${suffix}`);
      const count = Number(inputs.numCacheClusters ?? 1);
      return {
        ...inputs,
        replicationGroupId: groupId,
        memberClusters: known(
          Array.from({ length: count }, (_, i) => `${groupId}-${String(i + 1).padStart(3, "0")}`),
        ),
        primaryEndpointAddress: known(`master.${name}-${suffix}.abcdef.euc1.cache.amazonaws.com`),
        readerEndpointAddress: known(`replica.${name}-${suffix}.abcdef.euc1.cache.amazonaws.com`),
      };
    }
    case "aws:elasticache/serverlessCache:ServerlessCache":
      return {
        ...inputs,
        endpoints: known([
          { address: `${name}-${suffix}.serverless.euc1.cache.amazonaws.com`, port: 6379 },
        ]),
      };
    // @pulumi/tls: a real P-256 key in the provider's SEC1 PEM form, and a PEM-shaped
    // stand-in for the certificate (Node cannot sign one; test/docker lays an openssl-made pair in its place).
    case "tls:index/privateKey:PrivateKey":
      return {
        ...inputs,
        privateKeyPem: known(
          generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
            type: "sec1",
            format: "pem",
          }),
        ),
      };
    case "tls:index/selfSignedCert:SelfSignedCert":
      // The provider computes the validity window at create from validityPeriodHours
      // (hashicorp/terraform-provider-tls internal/provider/common_cert.go, createCertificate:
      // validity_start_time now, validity_end_time now + validity_period_hours), written with
      // time.Time MarshalText, RFC3339 with fractional seconds, as toISOString writes them.
      return {
        ...inputs,
        validityStartTime: known(new Date().toISOString()),
        validityEndTime: known(
          new Date(Date.now() + Number(inputs.validityPeriodHours ?? 0) * 3_600_000).toISOString(),
        ),
        certPem: known(
          `-----BEGIN CERTIFICATE-----\n${randomBytes(300).toString("base64")}\n-----END CERTIFICATE-----\n`,
        ),
      };
    default:
      return awsMockState(type, name, inputs, suffix, known) ?? { ...inputs };
  }
}

/** Inputs that were unknown arrive as `undefined` outside a preview; state may not hold them. */
export function withoutUndefined(state: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined));
}

/**
 * Provider functions the program calls: a VPC's private subnets, and the account and partition
 * the ECS services' secret ARNs name (the same account and region as mock-state-aws.ts's ARNs).
 */
export function mockCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  if (token === "aws:index/getCallerIdentity:getCallerIdentity") {
    return {
      id: AWS_ACCOUNT,
      accountId: AWS_ACCOUNT,
      arn: `arn:aws:iam::${AWS_ACCOUNT}:user/deployer`,
      userId: "AIDAEXAMPLE",
    };
  }
  if (token === "aws:index/getPartition:getPartition") {
    return {
      id: "aws",
      partition: "aws",
      dnsSuffix: "amazonaws.com",
      reverseDnsPrefix: "com.amazonaws",
    };
  }
  if (token === "aws:ec2/getSubnets:getSubnets") {
    return {
      ...inputs,
      id: "eu-central-1",
      ids: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
    };
  }
  return inputs;
}

/** @pulumi/random's special characters when `overrideSpecial` is not set. */
const RANDOM_DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/**
 * A value shaped like RandomPassword's: its length, and its special characters (the
 * override or the provider's default set) when `special` is on, at least `minSpecial` of
 * them, so tests on generated values see what the provider could really produce.
 */
function randomPasswordLike(inputs: Record<string, unknown>): string {
  const length = Number(inputs.length ?? 32);
  const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const specials =
    inputs.special === true ? String(inputs.overrideSpecial || RANDOM_DEFAULT_SPECIAL) : "";
  const pick = (alphabet: string, n: number) =>
    Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join("");
  const minSpecial = specials ? Math.max(1, Number(inputs.minSpecial ?? 0)) : 0;
  const chars = [...pick(specials, minSpecial), ...pick(alnum + specials, length - minSpecial)];
  // Shuffled, as the provider does, so a special character can come first.
  const order = randomBytes(chars.length);
  return chars
    .map((c, i) => [order[i] as number, c] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, c]) => c)
    .join("");
}
