/**
 * The stack's configuration, as a small package: `schema.ts` (the shape and its defaults, read
 * from the components), `rules.ts` and `secret-rules.ts` (rules that span keys, written once
 * per service), `messages.ts` (problems worded for the person editing the stack file),
 * `parse.ts` (Pulumi's flat map in, `StackConfig` out) and `read.ts` (the running program's
 * config and stack file). Everything is pure except `read.ts`.
 */
export { fromCli, PROJECT, REDIS_MODES } from "./fields";
export { externalUrlProblem } from "./managed";
export { plainLeavesOfSecretKeys } from "./stack-file-secrets";
export { ConfigError, SECRET_KEYS } from "./messages";
export { parseStackConfig, READ_NAMESPACES, type RawStackConfig, type StackConfig } from "./parse";
export { readStackConfig } from "./read";
export { looksSecret, PROD_MIN_CACHE_NODES } from "./secret-rules";
export { servicesOf } from "./rules";
export { ecsServiceSettings, PLATFORMS, PROD_MIN_ECS_TASKS } from "./platform";
export { PROD_EDGE_PORTS, PROD_MIN_WEB_REPLICAS } from "./edge-rules";
export { MAX_REPLICAS, RESERVED_WORKER_NAMES } from "./services";
export {
  configKeyPaths,
  type LocalRedisConfig,
  type RedisConfig,
  type EdgeConfig,
  type EcsConfig,
  type ServiceConfig,
  type WorkerConfig,
  type StackConfigInput,
} from "./schema";
