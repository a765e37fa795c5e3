/**
 * Project and stack files the real `pulumi preview` refuses before the program runs, one per
 * rule, each with the line the CLI prints after "error: ". Every stack file starts from the
 * dev stack file as it was before d0ac4c5 and changes one thing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";

type Obj = Record<string, unknown>;
const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "fixtures", name), "utf8");

export const OLD_PROJECT = fixture("Pulumi.before-d0ac4c5.yaml");
export const MINIMAL_PROJECT = fixture("Pulumi.minimal.yaml");
const DEV = parse(fixture("Pulumi.dev.before-d0ac4c5.yaml")) as { config: Obj };

/** The dev stack file with `change` applied to its document (config keys are qualified). */
export function devStack(change: (doc: { config: Obj } & Obj) => void = () => undefined): string {
  const doc = structuredClone(DEV) as { config: Obj } & Obj;
  change(doc);
  return stringify(doc);
}

function withProjectConfig(config: Obj): string {
  const p = parse(MINIMAL_PROJECT) as Obj;
  p.config = { ...(p.config as Obj), ...config };
  return stringify(p);
}

export interface ConfigStageCase {
  readonly name: string;
  /** Where the engine decides it (pulumi/pulumi). */
  readonly upstream: string;
  readonly project: string;
  readonly stackFile: string;
  readonly error: string;
}

export const CONFIG_STAGE_CASES: ConfigStageCase[] = [
  {
    name: "(a) declared keys with no default and no stack value",
    upstream: "pkg/workspace/config.go mergeConfig, missingStackConfigurationKeysError",
    project: OLD_PROJECT,
    stackFile: devStack(),
    error:
      "validating stack config: Stack 'dev' is missing configuration values 'redisPassword', 'redisUrl' and 'secretKey'",
  },
  {
    name: "(b) a `secret: true` key given in plaintext",
    upstream: "pkg/workspace/config.go validateStackConfigValue",
    project: withProjectConfig({ redisPassword: { type: "string", secret: true } }),
    stackFile: devStack(
      (d) => (d.config["api-stack:redisPassword"] = "x7Rk2pQ9mZ4vL8nW3tY6bC1dF5gH0jKs"),
    ),
    error:
      "validating stack config: Stack 'dev' with configuration key 'redisPassword' must be encrypted as it's secret",
  },
  {
    name: "(c) a typed key with a value of another type",
    upstream: "pkg/workspace/config.go validateStackConfigValue → ValidateConfigValue",
    project: MINIMAL_PROJECT,
    stackFile: devStack((d) => (d.config["api-stack:environment"] = ["development"])),
    error:
      "validating stack config: Stack 'dev' with configuration key 'environment' must be of type 'string'",
  },
  {
    name: "(d) a plaintext default on a typed secret key",
    upstream:
      "pkg/workspace/config.go mergeConfig (default applied as a plain value), then validateStackConfigValues",
    project: withProjectConfig({
      secretKey: { type: "string", secret: true, default: "dev-only-secret-key" },
    }),
    stackFile: devStack(),
    error:
      "validating stack config: Stack 'dev' with configuration key 'secretKey' must be encrypted as it's secret",
  },
  {
    name: "(e) an ESC environment import",
    upstream: "pkg/cmd/pulumi/config/io.go getStackConfigurationFromProjectStack → openStackEnv",
    project: MINIMAL_PROJECT,
    stackFile: devStack((d) => (d.environment = ["acme/api-dev"])),
    error:
      "Pulumi.dev.yaml imports the ESC environment(s) acme/api-dev (`environment:`), whose pulumiConfig the engine merges into this stack's config before the program runs; the offline gate cannot open ESC environments, so it does not judge a stack on config it has not seen: gate this stack with `pulumi preview --policy-pack policy` instead",
  },
];
