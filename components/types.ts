import * as pulumi from "@pulumi/pulumi";

/**
 * Type tokens for every component. The policy pack, the tests and the gate match on
 * these strings, so they are constants; renaming one needs `aliases` on the class.
 */
export const TYPES = {
  Networks: "api-stack:components:Networks",
  StackSecrets: "api-stack:components:StackSecrets",
  LocalRedis: "api-stack:components:LocalRedis",
  RedisBackup: "api-stack:components:RedisBackup",
  ApiService: "api-stack:components:ApiService",
  ElastiCacheValkey: "api-stack:components:ElastiCacheValkey",
  ExternalRedis: "api-stack:components:ExternalRedis",
  EdgeProxy: "api-stack:components:EdgeProxy",
  WorkerService: "api-stack:components:WorkerService",
  EcsPlatform: "api-stack:components:EcsPlatform",
  EcsService: "api-stack:components:EcsService",
  Monitoring: "api-stack:components:Monitoring",
  EcsAlarms: "api-stack:components:EcsAlarms",
  EdgeAcme: "api-stack:components:EdgeAcme",
} as const;

/**
 * Tokens that components were once registered under. Each stays as an alias on its
 * successor's class so stacks created before the rename keep their resources (CONVENTIONS
 * rule 2); removing one replaces every resource under it in those stacks.
 */
export const FORMER_TYPES = {
  /** `LocalRedis` until issue 12 (components/redis.ts, class `Redis`). */
  LocalRedis: "api-stack:components:Redis",
} as const;

/** Docker's json-file driver keeps 10 MB × 3 per container; unrotated logs filled disks. */
export const LOG_ROTATION = {
  logDriver: "json-file",
  logOpts: { "max-size": "10m", "max-file": "3" },
} as const;

/** Labels that let `docker ps --filter label=…` find a stack's containers. */
export function stackLabels(stack: string, role: string): { label: string; value: string }[] {
  return [
    { label: "com.api-stack.stack", value: stack },
    { label: "com.api-stack.role", value: role },
  ];
}

/** `opts` plus an alias for the token a component was registered under before. */
export function withFormerType(
  opts: pulumi.ComponentResourceOptions | undefined,
  type: string,
): pulumi.ComponentResourceOptions {
  return { ...opts, aliases: [...(opts?.aliases ?? []), { type }] };
}

/**
 * A component's own check failing (CONVENTIONS rule 8): the message names the argument and the
 * fix, and the stack trace is hidden because it would only point into the component.
 */
export function argError(resource: pulumi.Resource, message: string): pulumi.ResourceError {
  return new pulumi.ResourceError(message, resource, /* hideStack */ true);
}
