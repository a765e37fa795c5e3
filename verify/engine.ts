/**
 * `npm run verify`'s Docker engine check: the target engine must speak API 1.44 (Docker Engine
 * 25) or newer. Every service sets a healthcheck `startInterval`, and the Docker provider's Go
 * client refuses a non-zero one below 1.44 before it sends anything: moby client v28.5.2
 * `client/container_create.go`, `"specify health-check start interval" requires API version
 * 1.44` (test/docker/facts/docker-provider.json, clientVersionChecks). So on an older engine
 * every container of the next `pulumi up` fails to create.
 */
import Docker from "dockerode";
import type { CheckResult } from "./target";

export const MIN_DOCKER_API = "1.44";

/** "1.44" ≤ "1.45"? Docker API versions compare by major, then minor. */
export function apiAtLeast(have: string, want: string): boolean {
  const [a1 = 0, a2 = 0] = have.split(".").map(Number);
  const [b1 = 0, b2 = 0] = want.split(".").map(Number);
  return a1 !== b1 ? a1 > b1 : a2 >= b2;
}

/** dockerode options for a DOCKER_HOST value (unix://, tcp://, ssh://), as the docker CLI reads it. */
export function dockerOptions(host: string | undefined): Docker.DockerOptions {
  if (host === undefined || host === "") return { socketPath: "/var/run/docker.sock" };
  const url = new URL(host);
  if (url.protocol === "unix:") return { socketPath: url.pathname };
  if (url.protocol === "ssh:") {
    return {
      protocol: "ssh",
      host: url.hostname,
      port: url.port === "" ? 22 : Number(url.port),
      username: url.username || undefined,
    };
  }
  return { protocol: "http", host: url.hostname, port: Number(url.port || 2375) };
}

/** Asks the engine for its version; skips, with the way to point it, when none answers. */
export async function checkDockerEngine(host: string | undefined): Promise<CheckResult> {
  const check = "docker engine";
  const started = performance.now();
  const where = host ?? "unix:///var/run/docker.sock";
  let version: { Version?: string; ApiVersion?: string };
  try {
    version = await new Docker({ ...dockerOptions(host), timeout: 10_000 }).version();
  } catch (e) {
    return {
      check,
      status: "skip",
      detail: `no Docker engine answered at ${where} (${(e as Error).message.split("\n")[0]}): pass --docker-host or set DOCKER_HOST to check it`,
      ms: null,
    };
  }
  const api = String(version.ApiVersion ?? "0");
  const ms = Math.round(performance.now() - started);
  if (apiAtLeast(api, MIN_DOCKER_API)) {
    return {
      check,
      status: "pass",
      detail: `Docker ${version.Version ?? "?"}, API ${api} (needs ${MIN_DOCKER_API}, Docker Engine 25)`,
      ms,
    };
  }
  return {
    check,
    status: "fail",
    detail: `Docker ${version.Version ?? "?"} speaks API ${api}, older than ${MIN_DOCKER_API}: the Docker provider refuses every container with a healthcheck startInterval there; upgrade ${where} to Docker Engine 25 or newer`,
    ms,
  };
}
