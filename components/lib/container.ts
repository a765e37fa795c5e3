/**
 * Container settings every service shares, as plain `docker.Container` inputs. Pure data, so a
 * new service (a worker, a proxy) gets the same limits and hardening by spreading these.
 */

/**
 * The memory limit and a swap limit equal to it (no swap), always sent together: Docker refuses
 * a memory update above the container's current swap limit ("Memory limit should be smaller
 * than already set memoryswap limit"), and the provider's update sends memory_swap only when
 * it is set (kreuzwerker/terraform-provider-docker resource_docker_container_funcs.go,
 * resourceDockerContainerUpdate). Seen on the real engine in test/docker/update.test.ts.
 * `undefined` means unlimited.
 */
export function memoryLimit(memoryMb: number | undefined): {
  memory: number | undefined;
  memorySwap: number | undefined;
} {
  return { memory: memoryMb, memorySwap: memoryMb };
}

/**
 * `cpus` as the Docker provider reads it back, so the next `pulumi up` sees no change. Read
 * writes nanoInt64ToDecimalString(NanoCPUs) (kreuzwerker/terraform-provider-docker v4.5.0
 * internal/provider/helpers.go:133-149): big.Rat(n, 1e9).FloatString(9); when that string holds
 * exactly nine "0" characters (the integer part's count too) FloatString(1), else the string
 * with trailing zeros trimmed. `cpus` is ForceNew, so sending "1" where Read writes "1.0" would
 * replace the container on every `up` (test/docker/facts/docker-read.json, cpus).
 */
export function providerCpus(cpus: number): string {
  return nanoCpusToString(BigInt(Math.round(cpus * 1e9)));
}

/** helpers.go nanoInt64ToDecimalString itself, over NanoCPUs: 1e9 → "1.0", 1e10 → "10.". */
export function nanoCpusToString(nano: bigint): string {
  if (nano === 0n) return "0";
  const str = `${nano / 1_000_000_000n}.${String(nano % 1_000_000_000n).padStart(9, "0")}`;
  if ((str.match(/0/g) ?? []).length === 9) {
    const tenths = (nano * 10n + 500_000_000n) / 1_000_000_000n; // rounds half away from zero
    return `${tenths / 10n}.${tenths % 10n}`;
  }
  return str.replace(/0+$/, "");
}

/** Whether Read gives back the same number of CPUs (0.05 reads back as "0.1", 0.01 as "0.0"). */
export function cpusRoundTrip(cpus: number): boolean {
  return Number(providerCpus(cpus)) === cpus;
}

/**
 * Capability names as the Docker provider's Go client sends them, and so as its Read gets them
 * back: upper case, "CAP_" prefixed except ALL, deduplicated and sorted (moby client v28.5.2
 * client/container_create.go, normalizeCapabilities; neither the daemon nor the provider
 * changes them further). `capabilities` is ForceNew, so "NET_BIND_SERVICE" where Read writes
 * "CAP_NET_BIND_SERVICE" would replace the container on every `up`.
 */
export function dockerCapabilities(names: readonly string[]): string[] {
  const normal = names.map((n) => {
    const upper = n.toUpperCase();
    return upper === "ALL" || upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
  });
  return [...new Set(normal)].sort();
}

/**
 * Every capability dropped and none added back, and no-new-privileges so no setuid binary in
 * the image can raise a process back to root. The pack checks both
 * (container-drops-all-capabilities, container-no-new-privileges; CIS Docker Benchmark v1.6.0
 * §5.3, §5.25).
 */
export function unprivileged(): { capabilities: { drops: string[] }; securityOpts: string[] } {
  return {
    capabilities: { drops: dockerCapabilities(["ALL"]) },
    securityOpts: ["no-new-privileges:true"],
  };
}

/**
 * How long a stopping container gets between its stop signal and SIGKILL, seconds.
 * `stopTimeout` covers `docker stop` and a daemon shutdown; the provider's delete (every
 * replace and destroy) passes `destroyGraceSeconds` as the stop timeout instead, 0 when unset,
 * which is an immediate SIGKILL (kreuzwerker/terraform-provider-docker v4.5.0,
 * resource_docker_container_funcs.go, resourceDockerContainerDelete). So both get it.
 */
export function stopGrace(seconds: number): { stopTimeout: number; destroyGraceSeconds: number } {
  return { stopTimeout: seconds, destroyGraceSeconds: seconds };
}

/**
 * Logical names of a service's replicas: the first keeps the name a one-container service
 * always had (`api-server`), so an existing stack does not replace it, then `-2`, `-3`, ….
 */
export function replicaNames(base: string, replicas: number): string[] {
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new Error(`replicas (${replicas}) must be a whole number of at least 1`);
  }
  return Array.from({ length: replicas }, (_, i) => (i === 0 ? base : `${base}-${i + 1}`));
}

/**
 * The `replaceOnChanges` every waited container takes:
 * - "healthcheck": the provider has no ForceNew on it in kreuzwerker v4.5.0 and its update
 *   applies only restart and resources (resource_docker_container.go schema;
 *   resourceDockerContainerUpdate), so a changed probe would never reach the container.
 * - "#initerror": the provider sets the container's ID before it waits for health
 *   (resource_docker_container_funcs.go:460), so a failed wait leaves the container in state
 *   with an initialisation error, and the next `up`'s only step would be an update that never
 *   waits (pulumi/pulumi step_generator.go: "continue awaiting initialization"). Named here,
 *   the engine replaces it instead, and the replacement waits again (applyReplaceOnChanges,
 *   initErrorSpecialKey). test/docker/facts/engine-steps.md, section 4.
 */
export const WAITED_REPLACE_ON_CHANGES = ["healthcheck", "#initerror"];

/**
 * The `ignoreChanges` every container takes. The daemon copies its own `--log-opt` defaults
 * (daemon.json `log-opts`) into each container's log config for the keys the container does not
 * set (moby daemon/logs.go, mergeAndVerifyLogConfig), the provider's Read writes that merged map
 * back into `logOpts` (resource_docker_container_funcs.go:983-989, only when logOpts is set),
 * and `logOpts` is ForceNew: on a host whose daemon sets, say, `compress`, every `pulumi up`
 * would replace every container. The bridge honours ignoreChanges inside the provider's diff
 * (pulumi-terraform-bridge provider.go Diff). The cost: a change to LOG_ROTATION reaches a
 * container at its next replacement (an image bump), not at once.
 */
export const DAEMON_MERGED_IGNORE_CHANGES = ["logOpts"];

/** Both option lists, for a waited container's resource options: `...WAITED_CONTAINER_OPTIONS`. */
export const WAITED_CONTAINER_OPTIONS = {
  replaceOnChanges: WAITED_REPLACE_ON_CHANGES,
  ignoreChanges: DAEMON_MERGED_IGNORE_CHANGES,
};
