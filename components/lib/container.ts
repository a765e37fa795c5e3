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
 * Every capability dropped and none added back, and no-new-privileges so no setuid binary in
 * the image can raise a process back to root. The pack checks both
 * (container-drops-all-capabilities, container-no-new-privileges; CIS Docker Benchmark v1.6.0
 * §5.3, §5.25).
 */
export function unprivileged(): { capabilities: { drops: string[] }; securityOpts: string[] } {
  return { capabilities: { drops: ["ALL"] }, securityOpts: ["no-new-privileges:true"] };
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
