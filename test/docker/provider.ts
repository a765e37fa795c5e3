/**
 * What the Docker provider's Create, Update and Delete send to the engine, for the resource
 * types our stacks register: kreuzwerker/terraform-provider-docker v4.5.0 (the `upstream`
 * submodule of pulumi/pulumi-docker behind @pulumi/docker 5.2.0), each step cited from
 * facts/docker-provider.json, with the Go client's checks (moby client v28.5.2). State after a
 * create is what the provider's Read writes (read-back.ts), so the next diff sees what a real
 * `pulumi up` sees.
 */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import Docker from "dockerode";
import { pack } from "tar-stream";
import { dockerCapabilities } from "../../components/lib/container";
import { parseDuration } from "../../components/lib/duration";
import { apiAtLeast } from "../../verify/engine";
import { CONTAINER, NETWORK, PROVIDER_FACTS, VOLUME } from "./facts";
import { readContainer, readNetwork, readVolume } from "./read-back";

type Props = Record<string, unknown>;

/** A create that failed before the provider had an ID: nothing is recorded. */
export class CreateError extends Error {}

/** A create that failed after `d.SetId` (funcs.go:460): the engine keeps it with init errors. */
export class InitError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly state: Props,
  ) {
    super(message);
  }
}

/** How long a container's stop took on delete, against the grace it was given. */
export interface StopFigure {
  readonly name: string;
  readonly graceS: number;
  /** When the stop was sent (Date.now()) and how long it took. */
  readonly at: number;
  readonly ms: number;
  readonly exitCode: number;
}

/** `"1m0s"` → nanoseconds; the provider ignores parse errors (funcs.go:139-164), so 0. */
function ns(text: unknown): number {
  if (typeof text !== "string") return 0;
  return (parseDuration(text) ?? 0) * 1_000_000;
}

const labelsOf = (v: unknown): Record<string, string> =>
  Object.fromEntries(
    (Array.isArray(v) ? (v as Props[]) : []).map((l) => [String(l.label), String(l.value)]),
  );

/** memory_swap in MB: > 0 is MB, -1 passes through, 0 is unset (funcs.go:342-348). */
function swapBytes(v: unknown): number | undefined {
  if (typeof v !== "number" || v === 0) return undefined;
  return v > 0 ? v * 1024 * 1024 : v;
}

/** An auto-name as the bridge makes one (info/autonaming.go: name, "-", 7 random hex). */
export function autoName(logical: string): string {
  return `${logical}-${randomBytes(4).toString("hex").slice(0, 7)}`;
}

export class DockerProvider {
  readonly stops: StopFigure[] = [];
  /** Images findImage would have pulled: every create whose image the engine lacked. */
  readonly pulls: string[] = [];
  private api: Promise<string> | undefined;

  constructor(readonly docker: Docker) {}

  /**
   * The API version the Go client negotiates: it starts at 1.51 and falls to the daemon's
   * (clientApiVersion in docker-provider.json: WithAPIVersionNegotiation, client.go:283-301).
   */
  apiVersion(): Promise<string> {
    this.api ??= this.docker.version().then((v) => {
      const daemon = String(v.ApiVersion);
      return apiAtLeast(daemon, "1.51") ? "1.51" : daemon;
    });
    return this.api;
  }

  async create(type: string, name: string, p: Props): Promise<{ id: string; state: Props }> {
    switch (type) {
      case NETWORK: {
        // resource_docker_network_funcs.go, resourceDockerNetworkCreate
        const n = await this.docker.createNetwork({
          Name: name,
          ...(typeof p.driver === "string" ? { Driver: p.driver } : {}),
          Internal: p.internal === true,
          Labels: labelsOf(p.labels),
        });
        const info = (await this.docker.getNetwork(n.id).inspect()) as unknown as Props;
        return { id: n.id, state: readNetwork(info, p) };
      }
      case VOLUME: {
        // resource_docker_volume.go, resourceDockerVolumeCreate
        await this.docker.createVolume({ Name: name, Driver: "local", Labels: labelsOf(p.labels) });
        const info = (await this.docker.getVolume(name).inspect()) as unknown as Props;
        return { id: name, state: readVolume(info, p) };
      }
      case CONTAINER:
        return this.createContainer(name, p);
      default:
        throw new CreateError(`unsupported type ${type}`);
    }
  }

  /** The moby client's checks in ContainerCreate, against the negotiated version. */
  private async clientChecks(p: Props): Promise<void> {
    const api = await this.apiVersion();
    const hc = (p.healthcheck ?? {}) as Props;
    const set: Record<string, boolean> = {
      stopTimeout: typeof p.stopTimeout === "number" && p.stopTimeout !== 0,
      platform: typeof p.platform === "string" && p.platform !== "",
      "healthcheck.startInterval": ns(hc.startInterval) !== 0,
    };
    for (const check of PROVIDER_FACTS.clientVersionChecks) {
      if (set[check.field] && !apiAtLeast(api, check.minApi)) {
        throw new CreateError(
          `Unable to create container: ${check.error.replace("<negotiated>", api)}`,
        );
      }
    }
  }

  /** resourceDockerContainerCreate (funcs.go:44-673), step by step. */
  private async createContainer(name: string, p: Props): Promise<{ id: string; state: Props }> {
    const image = String(p.image);
    await this.findImage(image);
    await this.clientChecks(p);
    const ports = (Array.isArray(p.ports) ? p.ports : []) as Props[];
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const port of ports) {
      const key = `${Number(port.internal)}/${String(port.protocol ?? "tcp")}`;
      exposed[key] = {};
      bindings[key] = [
        { HostIp: String(port.ip ?? "0.0.0.0"), HostPort: String(port.external ?? 0) },
      ];
    }
    const hc = p.healthcheck as Props | undefined;
    const caps = (p.capabilities ?? {}) as Props;
    const volumes = (Array.isArray(p.volumes) ? p.volumes : []) as Props[];
    let c: Docker.Container;
    try {
      c = await this.docker.createContainer({
        name,
        Image: image,
        Cmd: Array.isArray(p.command) ? (p.command as string[]) : undefined,
        // resourceDockerContainerCreate: `if v, ok := d.GetOk("entrypoint"); ok` sets
        // config.Entrypoint, as it does Cmd from "command" (first used by the offsite backup).
        Entrypoint:
          Array.isArray(p.entrypoints) && p.entrypoints.length > 0
            ? (p.entrypoints as string[])
            : undefined,
        Env: Array.isArray(p.envs) ? (p.envs as string[]) : undefined,
        User: typeof p.user === "string" ? p.user : undefined,
        StopSignal: typeof p.stopSignal === "string" ? p.stopSignal : undefined,
        // Sent only when non-zero (funcs.go:55-58); Docker's 10 s applies otherwise.
        StopTimeout:
          typeof p.stopTimeout === "number" && p.stopTimeout !== 0 ? p.stopTimeout : undefined,
        Labels: labelsOf(p.labels),
        ExposedPorts: exposed,
        Healthcheck: hc
          ? {
              Test: hc.tests as string[],
              Interval: ns(hc.interval),
              Timeout: ns(hc.timeout),
              StartPeriod: ns(hc.startPeriod),
              StartInterval: ns(hc.startInterval),
              Retries: Number(hc.retries ?? 0),
            }
          : undefined,
        HostConfig: {
          // funcs.go:391-399: `if v, ok := d.GetOk("network_mode"); ok` sets
          // hostConfig.NetworkMode; the schema's default is "bridge" (resource_docker_container.go
          // network_mode, Default "bridge"), which is also Docker's, so only another mode differs.
          ...(typeof p.networkMode === "string" && p.networkMode !== ""
            ? { NetworkMode: p.networkMode }
            : {}),
          PortBindings: bindings,
          Binds: volumes
            .filter((v) => typeof v.volumeName === "string")
            .map(
              (v) =>
                `${String(v.volumeName)}:${String(v.containerPath)}:${v.readOnly ? "ro" : "rw"}`,
            ),
          Tmpfs: (p.tmpfs ?? undefined) as Record<string, string> | undefined,
          RestartPolicy: {
            Name: typeof p.restart === "string" ? p.restart : "no",
            MaximumRetryCount: Number(p.maxRetryCount ?? 0),
          },
          Memory: typeof p.memory === "number" ? p.memory * 1024 * 1024 : undefined,
          MemorySwap: swapBytes(p.memorySwap),
          NanoCpus: typeof p.cpus === "string" ? Math.round(Number(p.cpus) * 1e9) : undefined,
          // The Go client normalises both lists before it sends them (normalizeCapabilities).
          CapAdd: Array.isArray(caps.adds) ? dockerCapabilities(caps.adds as string[]) : undefined,
          CapDrop: Array.isArray(caps.drops)
            ? dockerCapabilities(caps.drops as string[])
            : undefined,
          SecurityOpt: p.securityOpts as string[] | undefined,
          Privileged: p.privileged === true,
          ReadonlyRootfs: p.readOnly === true,
          LogConfig: {
            Type: typeof p.logDriver === "string" ? p.logDriver : "json-file",
            Config: (p.logOpts ?? {}) as Record<string, string>,
          },
          ...(p.init === true ? { Init: true } : {}),
        },
      });
    } catch (err) {
      throw new CreateError(`Unable to create container: ${(err as Error).message}`);
    }
    // d.SetId here (funcs.go:460): from now on a failure is an initialisation error.
    try {
      await this.afterCreate(c, name, p);
    } catch (err) {
      const info = await c.inspect().catch(() => undefined);
      const state = info ? readContainer(info as unknown as Props, p) : { ...p, name };
      throw new InitError((err as Error).message, c.id, state);
    }
    const info = await c.inspect();
    return { id: c.id, state: readContainer(info as unknown as Props, p) };
  }

  /**
   * findImage (kreuzwerker v4.5.0 resource_docker_image_funcs.go:343-378, called by
   * resourceDockerContainerCreate, funcs.go:49-53): an image the engine has (ImageInspect in
   * searchLocalImages) is used as is, with no pull; only a missing one is pulled. There is no
   * registry here, so that pull is recorded in `pulls` and fails as a failed pull does
   * ("unable to pull image %s: %s"), before any container exists.
   */
  private async findImage(image: string): Promise<void> {
    const local = await this.docker
      .getImage(image)
      .inspect()
      .then(
        () => true,
        (e: { statusCode?: number }) => {
          if (e.statusCode === 404) return false;
          throw e;
        },
      );
    if (local) return;
    this.pulls.push(image);
    throw new CreateError(
      `Unable to create container with image ${image}: unable to pull image ${image}: no registry on the layer-5 engine`,
    );
  }

  /** Networks, uploads, start and wait: everything after the ID is set (funcs.go:463-628). */
  private async afterCreate(c: Docker.Container, name: string, p: Props): Promise<void> {
    const nets = (Array.isArray(p.networksAdvanced) ? p.networksAdvanced : []) as Props[];
    if (nets.length > 0) {
      await this.docker
        .getNetwork("bridge")
        .disconnect({ Container: c.id })
        .catch(() => undefined);
      for (const n of nets) {
        await this.docker.getNetwork(String(n.name)).connect({
          Container: c.id,
          EndpointConfig: { Aliases: (n.aliases as string[] | undefined) ?? [] },
        });
      }
    }
    // One tar per upload, Name = the absolute path, Mode, no owner; extracted at "/".
    for (const u of (Array.isArray(p.uploads) ? p.uploads : []) as Props[]) {
      const content = String(u.content ?? "");
      const mode =
        typeof u.permissions === "string" && u.permissions !== ""
          ? parseInt(u.permissions, 8)
          : u.executable === true
            ? 0o744
            : 0o644;
      const tar = pack();
      tar.entry({ name: String(u.file), mode, size: Buffer.byteLength(content) }, content);
      tar.finalize();
      await c.putArchive(Readable.from(tar) as unknown as NodeJS.ReadableStream, { path: "/" });
    }
    if (p.start === false) return;
    await c.start();
    if (p.wait === true) await this.waitHealthy(c, Number(p.waitTimeout ?? 60), name);
  }

  /**
   * The provider's wait (funcs.go:590-628): inspect every second; only `healthy` ends it, so
   * an unhealthy or exited container waits out wait_timeout, measured from the start.
   */
  private async waitHealthy(c: Docker.Container, timeoutS: number, name: string): Promise<void> {
    const deadline = Date.now() + timeoutS * 1_000;
    for (;;) {
      const info = await c.inspect();
      if (!info.State.Health) {
        throw new Error(
          "you have supplied a 'wait' argument, but the container does not have a healthcheck defined. Please remove the 'wait' argument or add a 'healthcheck' attribute",
        );
      }
      if (info.State.Health.Status === "healthy") return;
      if (Date.now() >= deadline) {
        // The provider's text is the first clause; the rest is ours, for the test's log.
        const last = info.State.Health.Log?.at(-1)?.Output?.trim() ?? "";
        throw new Error(
          `container failed to be in healthy state (applier: ${name} after ${timeoutS} s, status ${info.State.Health.Status}, running ${info.State.Running}, restarts ${info.RestartCount}; last probe: ${last.slice(0, 200)})`,
        );
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  /**
   * resourceDockerContainerUpdate (funcs.go:991-1077): one ContainerUpdate with all eleven
   * resource attributes when any changed, and nothing else; no Read afterwards.
   */
  async update(type: string, id: string, p: Props, changed: readonly string[]): Promise<void> {
    if (type !== CONTAINER) return;
    const fields = PROVIDER_FACTS.resources[CONTAINER]!.fields;
    if (!changed.some((f) => fields[f]?.kind === "update" && f !== "mustRun")) return;
    await this.docker.getContainer(id).update({
      RestartPolicy: {
        Name: typeof p.restart === "string" ? p.restart : "",
        MaximumRetryCount: Number(p.maxRetryCount ?? 0),
      },
      CpuShares: Number(p.cpuShares ?? 0),
      Memory: typeof p.memory === "number" ? p.memory * 1024 * 1024 : 0,
      MemoryReservation:
        typeof p.memoryReservation === "number" ? p.memoryReservation * 1024 * 1024 : 0,
      CpusetCpus: typeof p.cpuSet === "string" ? p.cpuSet : "",
      ...(swapBytes(p.memorySwap) === undefined ? {} : { MemorySwap: swapBytes(p.memorySwap) }),
    });
  }

  /** The delete each type's provider code runs (docker-provider.json, `delete`). */
  async delete(type: string, id: string, physical: string, inputs: Props): Promise<void> {
    switch (type) {
      case CONTAINER: {
        // Stop with destroy_grace_seconds (0 when unset: it overrides the container's own
        // StopTimeout), force-remove with RemoveVolumes = remove_volumes (default true), then
        // wait until it is no longer running (funcs.go:1079-1131).
        const c = this.docker.getContainer(id);
        const grace = Number(inputs.destroyGraceSeconds ?? 0);
        const started = performance.now();
        const at = Date.now();
        await c.stop({ t: grace > 0 ? grace : 0 }).catch(ignoreGone);
        const ms = performance.now() - started;
        const exitCode = await c.inspect().then(
          (i) => i.State.ExitCode,
          () => -1,
        );
        this.stops.push({ name: physical, graceS: grace, at, ms, exitCode });
        await c.remove({ force: true, v: inputs.removeVolumes !== false }).catch(ignoreGone);
        return;
      }
      case NETWORK:
        // Retries for up to 30 s while the network still has endpoints (network_funcs.go).
        return retryBusy(() => this.docker.getNetwork(id).remove(), /active endpoints/);
      case VOLUME:
        return retryBusy(() => this.docker.getVolume(id).remove(), /in use/);
    }
  }
}

function ignoreGone(err: unknown): void {
  const code = (err as { statusCode?: number }).statusCode;
  if (code === 304 || code === 404 || code === 409) return; // stopped, gone, removal under way
  throw err;
}

async function retryBusy(remove: () => Promise<unknown>, busy: RegExp): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await remove();
      return;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return;
      if (!busy.test(String((err as Error).message)) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
