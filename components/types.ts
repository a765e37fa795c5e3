/**
 * Type tokens for every component. The policy pack, the tests and the gate match on
 * these strings, so they are constants; renaming one needs `aliases` on the class.
 */
export const TYPES = {
  Networks: "api-stack:components:Networks",
  StackSecrets: "api-stack:components:StackSecrets",
  Redis: "api-stack:components:Redis",
  ApiService: "api-stack:components:ApiService",
  ElastiCacheValkey: "api-stack:components:ElastiCacheValkey",
  ExternalRedis: "api-stack:components:ExternalRedis",
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
