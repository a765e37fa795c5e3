import type { ServiceConfig, WorkerConfig } from "./schema";

/** A service the stack runs (`api`, `workers.<name>`), by its key. */
export interface ServiceEntry {
  readonly key: string;
  readonly service: ServiceConfig | WorkerConfig;
}

/**
 * The stack's services: the web service, then each worker. Every per-service rule runs on each,
 * and `platform: ecs` builds one EcsService per entry (stacks/ecs.ts).
 */
export function servicesOf(c: {
  readonly api: ServiceConfig;
  readonly workers?: Readonly<Record<string, WorkerConfig>>;
}): ServiceEntry[] {
  const workers = Object.entries(c.workers ?? {}).map(([name, service]) => ({
    key: `workers.${name}`,
    service,
  }));
  return [{ key: "api", service: c.api }, ...workers];
}
