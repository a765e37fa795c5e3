import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "./fields";
import { SECRET_KEYS } from "./messages";
import { parseStackConfig, type StackConfig } from "./parse";
import { readPlainSecretLeaves } from "./stack-file-secrets";

/**
 * `isConfigSecret` is exported by the SDK's runtime but marked internal in its types;
 * it is the only way to learn which keys were set with `--secret`.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeConfig = require("@pulumi/pulumi/runtime/config") as {
  isConfigSecret(key: string): boolean;
};

/**
 * Reads and validates the whole stack config. A bad config stops the program here,
 * before any resource is registered, with one message that lists every problem.
 */
export function readStackConfig(): StackConfig {
  const values = pulumi.runtime.allConfig();
  const secretKeys = Object.keys(values).filter((k) => runtimeConfig.isConfigSecret(k));
  const stack = pulumi.getStack();
  // The language host tells the program where Pulumi.yaml is (@pulumi/pulumi runtime/settings.ts
  // getRootDirectory, from PULUMI_NODEJS_ROOT_DIRECTORY); the mocks leave a placeholder, and
  // there the program runs in the project directory (runtime/state.ts: "rootDirectory").
  const root = pulumi.runtime.getRootDirectory();
  const dir = root && fs.existsSync(path.join(root, "Pulumi.yaml")) ? root : process.cwd();
  const plainSecretLeaves = readPlainSecretLeaves(dir, stack, PROJECT, SECRET_KEYS);
  try {
    return parseStackConfig({ values, secretKeys, plainSecretLeaves, stack });
  } catch (err) {
    // RunError prints the message without a stack trace: the trace would only point here.
    throw new pulumi.RunError(err instanceof Error ? err.message : String(err));
  }
}
