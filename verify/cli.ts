/**
 * The command line of `npm run verify -- --stack <name>` or
 * `npm run verify -- --outputs <file.json>`:
 * checks a deployed stack from the outside (API health, Redis PING with auth and TLS,
 * Redis persistence, and on platform docker the engine's API version and the stack's containers,
 * with an unhealthy one's probes and log tail) and prints a table. Exit 0 when every check passes, 1 when one
 * fails, 2 when the command itself cannot run. No secret is ever printed.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { runChecks } from "./checks";
import { checkContainers, formatDiagnostics, type Diagnostics } from "./diagnose";
import { checkDockerEngine } from "./engine";
import { formatTable } from "./format";
import { maskSecrets } from "./mask";
import {
  containerNamesIn,
  readOutputsFile,
  readStackOutputs,
  secretsIn,
  urlPassword,
  type StackOutputs,
} from "./outputs";
import { healthUrl, resolveTarget } from "./target";

const USAGE = `usage: npm run verify -- (--stack <name> | --outputs <file.json>) [options]

  --stack <name>       read \`pulumi stack output --json --show-secrets --stack <name>\`
  --outputs <file>     read that JSON from a file instead (no pulumi CLI needed)
  --api-url <url>      override the apiUrl output, e.g. http://127.0.0.1:3003
  --redis-url <url>    override the redisUrl output (redis:// or rediss://)
  --ca <file>          PEM CA certificate to verify a rediss:// server with
  --docker-host <url>  the Docker engine the stack runs on: checked for API >= 1.44 (Docker
                       Engine 25), and the stack's containers on it for health (an unhealthy
                       one's probes and log tail are printed, masked), e.g.
                       ssh://deploy@host (default: DOCKER_HOST, else the local socket);
                       platform docker only
  --timeout <seconds>  how long to wait for the API to become healthy
                       (default: the apiStartPeriodSeconds output, else 60)
  --json               machine-readable report on stdout
  -h, --help`;

/** Everything that must be masked; grows as soon as a secret becomes known. */
const secrets: string[] = [];
const err = (line: string) => process.stderr.write(`${maskSecrets(line, secrets)}\n`);
const out = (text: string) => process.stdout.write(`${maskSecrets(text, secrets)}\n`);

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      stack: { type: "string" },
      outputs: { type: "string" },
      "api-url": { type: "string" },
      "redis-url": { type: "string" },
      ca: { type: "string" },
      "docker-host": { type: "string" },
      timeout: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const redisUrlOverride = values["redis-url"];
  if (redisUrlOverride !== undefined) {
    secrets.push(redisUrlOverride);
    const pw = urlPassword(redisUrlOverride);
    if (pw !== undefined) secrets.push(pw);
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (values.stack !== undefined && values.outputs !== undefined)
    throw new UsageError("pass --stack or --outputs, not both");
  if (
    values.stack === undefined &&
    values.outputs === undefined &&
    (values["api-url"] === undefined || redisUrlOverride === undefined)
  ) {
    throw new UsageError(
      "pass --stack <name> or --outputs <file.json> (or both --api-url and --redis-url)",
    );
  }
  let timeoutSeconds: number | undefined;
  if (values.timeout !== undefined) {
    timeoutSeconds = Number(values.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
      throw new UsageError(
        `--timeout must be a positive number of seconds, got "${values.timeout}"`,
      );
  }
  let ca: Buffer | undefined;
  if (values.ca !== undefined) {
    try {
      ca = readFileSync(values.ca);
    } catch (e) {
      throw new UsageError(
        `cannot read --ca ${values.ca}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      );
    }
  }

  let outputs: StackOutputs = {};
  if (values.stack !== undefined) outputs = await readStackOutputs(values.stack);
  else if (values.outputs !== undefined) outputs = await readOutputsFile(values.outputs);
  secrets.push(...secretsIn(outputs));

  const target = resolveTarget(outputs, {
    apiUrl: values["api-url"],
    redisUrl: redisUrlOverride,
    ca,
    timeoutSeconds,
  });
  if (!values.json) {
    const mode = target.redisMode === undefined ? "" : `, ${target.redisMode}`;
    out(
      `verify: api ${target.apiUrl === undefined ? "(none)" : healthUrl(target.apiUrl, target.healthPath)} (wait up to ${Math.round(target.apiTimeoutMs / 1_000)}s)`,
    );
    out(`        redis ${target.redisUrl ?? "(none)"}${mode}\n`);
  }
  const checked = await runChecks({ target, secrets, onProgress: err });
  // The engine a `pulumi up` of this stack talks to must be new enough (verify/engine.ts).
  const dockerHost = values["docker-host"] ?? process.env.DOCKER_HOST;
  const engine = outputs.platform === "ecs" ? [] : [await checkDockerEngine(dockerHost)];
  // The stack's containers on that engine; an unhealthy one is a failed check, with its probes
  // and log tail as the diagnostics (verify/diagnose.ts).
  let diagnostics: Diagnostics | undefined;
  if (outputs.platform !== "ecs") {
    const c = await checkContainers(dockerHost, {
      stack: values.stack,
      names: containerNamesIn(outputs),
      secrets,
    });
    engine.push(c.check);
    diagnostics = c.diagnostics;
  }
  const checks = [...checked.checks, ...engine];
  const report = {
    ...checked,
    checks,
    ok: checks.every((c) => c.status !== "fail"),
    ...(diagnostics === undefined ? {} : { diagnostics }),
  };
  if (values.json) out(JSON.stringify(report, null, 2));
  else {
    if (diagnostics !== undefined && diagnostics.unhealthy.length > 0)
      out(
        `containers not healthy on ${diagnostics.dockerHost}:\n\n${formatDiagnostics(diagnostics)}`,
      );
    out(formatTable(report.checks));
  }
  return report.ok ? 0 : 1;
}

/**
 * The verify command; `argv` without node and the script. Resolves with the exit code: 0 when
 * every check passes, 1 when one fails, 2 when the command itself cannot run (usage printed).
 */
export function verifyMain(argv: string[]): Promise<number> {
  return main(argv).catch((e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    err(`verify: ${message}`);
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS"))
      err(`\n${USAGE}`);
    return 2;
  });
}
