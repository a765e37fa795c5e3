/**
 * The rules that span keys, run once the stack file has its shape. Rules about one service
 * are written once, over a service entry, and applied to every service the stack runs.
 */
import { checkBackup } from "./backup";
import type { z } from "zod";
import { defaultMaxmemoryMb } from "../../components/local-redis";
import { minimumWaitSeconds } from "../../components/lib/healthcheck";
import { checkImageReference, redisEngine } from "../../components/lib/image-ref";
import {
  blankProbe,
  curlWithoutFail,
  loopbackProbePorts,
  parseProbe,
} from "../../policy/lib/healthcheck";
import { secretInValue } from "../../policy/lib/secrets";
import type { Issue } from "./fields";
import { checkEdge } from "./edge-rules";
import { checkMonitoring } from "./monitoring";
import { checkPlatform } from "./platform";
import { checkRedisMode, checkSecrets, checkServiceEnv } from "./secret-rules";
import { servicesOf, type ServiceEntry } from "./service-list";
import type { LocalRedisConfig, ParsedStack } from "./schema";

export { servicesOf, type ServiceEntry };

/** A container the stack runs, by the key it is configured under. */
interface Container {
  readonly key: string;
  readonly restart: string;
  readonly maxRetryCount?: number;
}

/** Every container: the services, and a local Redis. */
function containersOf(c: ParsedStack): Container[] {
  const services = servicesOf(c).map((s) => ({ key: s.key, ...s.service }));
  return c.redis.mode === "local" ? [...services, { key: "redis", ...c.redis }] : services;
}

/** `redis.mode: local` on its own: the image must be a Redis, and maxmemory below the limit. */
export function checkLocalRedis(r: LocalRedisConfig, ctx: z.RefinementCtx): void {
  // Caught here, before any resource, not in components/local-redis.ts after the networks exist.
  if (checkImageReference(r.image) === undefined && redisEngine(r.image) === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["image"],
      message: `"${r.image}" is not a redis or valkey image: the stack writes a redis.conf and probes with redis-cli, so use e.g. "redis:7.4-alpine" or "valkey/valkey:8.1-alpine"`,
    });
  }
  const maxmemory = r.maxmemoryMb ?? defaultMaxmemoryMb(r.memoryMb);
  if (maxmemory >= r.memoryMb) {
    ctx.addIssue({
      code: "custom",
      path: ["maxmemoryMb"],
      message: `(${maxmemory}) must be below \`redis.memoryMb\` (${r.memoryMb}) so Redis evicts or refuses writes before the kernel kills it: lower it to about 75% of the limit`,
    });
  }
}

/** The whole stack's rules, each problem added to `ctx` at its key. */
export function checkStack(
  c: ParsedStack,
  ctx: z.RefinementCtx,
  secretKeys: ReadonlySet<string>,
  plainLeaves: readonly string[],
): void {
  const prod = c.environment === "production";
  const issue: Issue = (path, message) => ctx.addIssue({ code: "custom", path, message });
  checkSecrets(c, secretKeys, plainLeaves, issue);
  for (const container of containersOf(c))
    checkRestart(container, prod, c.platform === "ecs", issue);
  for (const entry of servicesOf(c)) checkService(entry, c, prod, issue);
  // On ECS the ALB takes the edge proxy's place; platform.ts has the ECS rules.
  if (c.platform !== "ecs") checkEdge(c, prod, issue);
  checkPlatform(c, prod, issue);
  checkBackup(
    c.redis,
    {
      backupAccessKeyId: c.backupAccessKeyId !== undefined,
      backupSecretAccessKey: c.backupSecretAccessKey !== undefined,
    },
    prod,
    issue,
  );
  const local = c.redis.mode === "local" ? c.redis : undefined;
  if (prod && local?.debugPort !== undefined) {
    issue(
      ["redis", "debugPort"],
      "is for development only: a production Redis publishes no port; remove it and use `docker exec` or an SSH tunnel",
    );
  }
  checkRedisMode(c, prod, issue);
  checkMonitoring(c, prod, issue);
}

function checkRestart(s: Container, prod: boolean, ecs: boolean, issue: Issue): void {
  // The ECS services do not use ECS's container restart policy (restartPolicy, which has no
  // retry count): a container that exits stops its task, the service starts a new one, and the
  // deployment circuit breaker ends a crash loop. So no Docker restart rule (nor
  // maxRetryCount) applies there.
  if (ecs) {
    if (s.restart === "on-failure" || s.restart === "no")
      issue(
        [s.key, "restart"],
        `("${s.restart}") does not apply to \`platform: ecs\`: the stack does not use ECS's container restart policy; a container that exits stops its task, the service starts a new one, and the deployment circuit breaker stops a crash loop; remove it`,
      );
    return;
  }
  if (prod && s.restart === "no") {
    issue(
      [s.key, "restart"],
      `must not be "no" in a production stack: use "always" (or "unless-stopped") so a crashed container comes back`,
    );
  }
  if (s.restart === "on-failure" && s.maxRetryCount === undefined) {
    issue(
      [s.key, "maxRetryCount"],
      `is required when \`${s.key}.restart\` is "on-failure": set a retry limit such as 5`,
    );
  }
  if (s.restart !== "on-failure" && s.maxRetryCount !== undefined) {
    issue([s.key, "maxRetryCount"], `only applies to \`${s.key}.restart: on-failure\`: remove it`);
  }
}

/** One service's rules: limits in production, its host port, env, probe and start-up time. */
function checkService(entry: ServiceEntry, c: ParsedStack, prod: boolean, issue: Issue): void {
  const { key, service: s } = entry;
  if (prod && s.memoryMb === undefined)
    issue(
      [key, "memoryMb"],
      "is required in production (e.g. 512) so a leak cannot take the host down",
    );
  if (prod && s.cpus === undefined) issue([key, "cpus"], "is required in production (e.g. 0.5)");
  const debugPort = c.redis.mode === "local" ? c.redis.debugPort : undefined;
  if ("hostPort" in s && s.hostPort !== undefined && s.hostPort === debugPort) {
    issue(
      [key, "hostPort"],
      `(${s.hostPort}) is also \`redis.debugPort\`: pick different host ports`,
    );
  }
  checkServiceEnv(key, s.env, c.secretEnv, issue);
  if ("port" in s) checkHealthCommand(key, s, issue);
  // A worker's command is what `docker inspect` and `ps` show everyone on the host, as a
  // healthcheck's is (checkHealthCommand): no credential belongs there.
  if ("command" in s) {
    const found = s.command.map(secretInValue).find((f) => f !== undefined);
    if (found)
      issue(
        [key, "command"],
        `holds ${found}, and \`docker inspect\` shows a container's command to anyone on the Docker host: put it in \`secretEnv\` (\`pulumi config set --secret --path 'secretEnv.NAME' <value>\`) and read it from the environment`,
      );
  }
  const wait = minimumWaitSeconds(s.healthcheck);
  if (wait > 3_600)
    issue(
      [key, "healthcheck"],
      `needs ${wait}s before it can report unhealthy, longer than an hour: lower startPeriod, interval or retries`,
    );
}

/**
 * A custom probe must be able to fail and able to pass, probe the port the service listens
 * on, and carry no credential: `docker inspect` shows a healthcheck's command to anyone who
 * can reach the Docker host.
 */
function checkHealthCommand(
  key: string,
  s: { port: number; healthcheck: { command?: string[] } },
  issue: Issue,
): void {
  const command = s.healthcheck.command;
  if (command === undefined) return;
  const at = [key, "healthcheck", "command"];
  const example = `["CMD", "curl", "-fsS", "http://127.0.0.1:${s.port}/health"]`;
  const blank = blankProbe(command);
  if (blank) return issue(at, `is empty: ${blank}; use a real probe such as ${example}`);
  const found = command.map(secretInValue).find((f) => f !== undefined);
  if (found)
    return issue(
      at,
      `holds ${found}, and \`docker inspect\` shows the healthcheck command to anyone on the Docker host: probe an endpoint that needs no credential, or read it at run time from a file`,
    );
  const probe = parseProbe(command);
  if (curlWithoutFail(probe))
    issue(
      at,
      `runs curl without --fail (-f): curl exits 0 on an HTTP 500, so the check cannot fail; add -f, e.g. ${example}`,
    );
  const wrong = loopbackProbePorts(probe).filter((p) => p !== s.port);
  if (wrong.length > 0)
    issue(
      at,
      `probes port ${wrong.join(", ")} but \`${key}.port\` (${s.port}) is where the API listens, so the check can never pass: point it at http://127.0.0.1:${s.port}`,
    );
}
