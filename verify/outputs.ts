/**
 * Reading a stack's outputs for `npm run verify`: from `pulumi stack output --json
 * --show-secrets`, or from a file holding the same JSON. Every output is optional here;
 * what a check needs and does not get is reported by that check.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { maskSecrets } from "./mask";

export const StackOutputsSchema = z.looseObject({
  apiUrl: z.string().optional(),
  apiHealthPath: z.string().optional(),
  /** Secret. */
  redisUrl: z.string().optional(),
  redisHost: z.string().optional(),
  redisPort: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
  redisTls: z.boolean().optional(),
  redisMode: z.enum(["local", "elasticache", "external"]).optional(),
  /** Secret; local mode only (ACL user `admin`). */
  redisAdminUrl: z.string().optional(),
  /** Secret; local mode with `redis.debugPort` only: the same users, reached from the Docker host. */
  redisHostUrl: z.string().optional(),
  redisAdminHostUrl: z.string().optional(),
  apiStartPeriodSeconds: z.number().nonnegative().optional(),
  // npm run backup / restore: the containers they stop, exec into and start again.
  redisContainerName: z.string().optional(),
  redisBackupContainerName: z.string().optional(),
  redisOffsiteContainerName: z.string().optional(),
  apiContainerNames: z.array(z.string()).optional(),
  workerContainerNames: z.record(z.string(), z.array(z.string())).optional(),
  edgeContainerName: z.string().optional(),
  edgeConfigContainerName: z.string().optional(),
  /** "docker" or "ecs"; absent in stacks from before issue 14, which were all Docker. */
  platform: z.enum(["docker", "ecs"]).optional(),
});
/** The stack outputs verify reads (`pulumi stack output --json --show-secrets`). */
export type StackOutputs = z.infer<typeof StackOutputsSchema>;

/** The outputs could not be read or do not have the expected shape. */
export class OutputsError extends Error {
  override readonly name = "OutputsError";
}

/** Validates parsed JSON; `source` names where it came from, for the error. */
export function parseOutputs(json: unknown, source: string): StackOutputs {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new OutputsError(`${source}: expected a JSON object of stack outputs`);
  }
  const hidden = Object.entries(json)
    .filter(([, v]) => v === "[secret]")
    .map(([k]) => k);
  if (hidden.length > 0) {
    throw new OutputsError(
      `${source}: ${hidden.join(", ")} ${hidden.length === 1 ? "is" : "are"} "[secret]": produce the file with \`pulumi stack output --json --show-secrets\``,
    );
  }
  const parsed = StackOutputsSchema.safeParse(json);
  if (!parsed.success) {
    // zod echoes offending values only for enums and literals; none of those are secret,
    // but mask anyway, with every string in the file treated as a potential secret URL.
    throw new OutputsError(
      maskSecrets(
        `${source}: ${z.prettifyError(parsed.error)}`,
        secretsIn(json as Record<string, unknown>),
      ),
    );
  }
  return parsed.data;
}

/** Reads and checks a saved `pulumi stack output --json --show-secrets`. */
export async function readOutputsFile(path: string): Promise<StackOutputs> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new OutputsError(
      `cannot read --outputs ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error, which may be a password.
    throw new OutputsError(`--outputs ${path} is not valid JSON`);
  }
  return parseOutputs(json, path);
}

/** Runs `pulumi stack output --json --show-secrets --stack <stack>`. */
export function readStackOutputs(stack: string, pulumiBin = "pulumi"): Promise<StackOutputs> {
  const args = ["stack", "output", "--json", "--show-secrets", "--stack", stack];
  return new Promise((resolve, reject) => {
    execFile(
      pulumiBin,
      args,
      { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err) {
          if ((err as NodeJS.ErrnoException).code === "ENOENT") {
            reject(
              new OutputsError(
                `the pulumi CLI was not found on PATH: install it (https://www.pulumi.com/docs/iac/download-install/) ` +
                  "or pass --outputs <file.json> written by `pulumi stack output --json --show-secrets`",
              ),
            );
            return;
          }
          reject(
            new OutputsError(
              `\`pulumi ${args.join(" ")}\` failed (exit ${String(err.code)}): ${maskSecrets(String(stderr).trim())}`,
            ),
          );
          return;
        }
        let json: unknown;
        try {
          json = JSON.parse(String(stdout));
        } catch {
          reject(new OutputsError(`\`pulumi ${args.join(" ")}\` did not print JSON`));
          return;
        }
        try {
          resolve(parseOutputs(json, `stack ${stack}`));
        } catch (e) {
          reject(e as Error);
        }
      },
    );
  });
}

/**
 * Everything in the outputs that must never be printed: values of keys that name a
 * secret, and the password of every URL.
 */
export function secretsIn(outputs: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(outputs)) {
    if (typeof value !== "string") continue;
    if (/password|secret|token|credential|auth/i.test(key)) found.push(value);
    const pw = urlPassword(value);
    if (pw !== undefined) found.push(pw);
  }
  return found;
}

/** The password in `scheme://user:password@host`, decoded, or undefined. */
export function urlPassword(text: string): string | undefined {
  try {
    const u = new URL(text);
    return u.password === "" ? undefined : decodeURIComponent(u.password);
  } catch {
    return undefined;
  }
}

/** Every container name the stack exports (API replicas, workers, Redis and its helpers, edge). */
export function containerNamesIn(outputs: StackOutputs): string[] {
  const names = [
    ...(outputs.apiContainerNames ?? []),
    ...Object.values(outputs.workerContainerNames ?? {}).flat(),
    outputs.redisContainerName,
    outputs.redisBackupContainerName,
    outputs.redisOffsiteContainerName,
    outputs.edgeContainerName,
    outputs.edgeConfigContainerName,
  ];
  return [...new Set(names.filter((n): n is string => typeof n === "string" && n !== ""))];
}
