/**
 * What `pulumi up` with the Docker provider would do with a captured program, done for real
 * on the private engine. There is no Pulumi CLI or provider binary here, so this follows their
 * source, cited per behaviour:
 * - the engine: pulumi/pulumi pkg/resource/deploy/step_generator.go (create, same, update,
 *   replace with or without deleteBeforeReplace, deletes in reverse dependency order,
 *   protected resources refused) and step_executor.go;
 * - the provider: kreuzwerker/terraform-provider-docker v4.5.0 (wrapped by @pulumi/docker 5),
 *   internal/provider/resource_docker_{container_funcs,network_funcs,volume}.go.
 * It handles the resource types our stacks register; anything else is a no-op (random, components).
 */
import { Readable } from "node:stream";
import Docker from "dockerode";
import { pack } from "tar-stream";
import { parseDuration } from "../../components/lib/duration";
import type { CapturedResource, ProgramRun } from "../../gate";
import { reveal } from "../helpers/wire";

type Props = Record<string, unknown>;
const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const VOLUME = "docker:index/volume:Volume";
const MANAGED = new Set([CONTAINER, NETWORK, VOLUME]);

/**
 * resourceDockerContainerUpdate applies only these (restart policy and resources) in place;
 * every other container field has ForceNew in resource_docker_container.go, except a few
 * (healthcheck, destroy_grace_seconds, wait*) that are neither: those change nothing on the
 * running container, which is why our components replace on a healthcheck change.
 */
const UPDATABLE = new Set([
  "restart",
  "maxRetryCount",
  "cpuShares",
  "memory",
  "memoryReservation",
  "cpuSet",
  "memorySwap",
]);
/** Fields the provider keeps in state only: a change is an update that touches nothing. */
const STATE_ONLY = new Set(["destroyGraceSeconds", "wait", "waitTimeout", "healthcheck"]);

export type StepOp = "create" | "same" | "update" | "replace" | "delete" | "retain";

export interface Step {
  readonly op: StepOp;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly ms: number;
  /** For replace: which input fields forced it. */
  readonly changed?: string[];
}

interface Applied {
  readonly urn: string;
  readonly type: string;
  readonly physical: string;
  readonly id: string;
  readonly inputs: Props;
  readonly dependencies: string[];
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
}

export class ApplyError extends Error {}

/** How long a container's stop took on delete, against the grace it was given. */
export interface StopFigure {
  readonly name: string;
  readonly graceS: number;
  /** When the stop was sent (Date.now()) and how long it took. */
  readonly at: number;
  readonly ms: number;
  readonly exitCode: number;
}

/** `"1m0s"` → nanoseconds, for HealthConfig (resourceDockerContainerCreate: time.ParseDuration). */
function ns(text: unknown): number {
  if (typeof text !== "string") return 0;
  const ms = parseDuration(text);
  if (ms === undefined) throw new ApplyError(`not a Go duration: ${text}`);
  return ms * 1_000_000;
}

const labelsOf = (v: unknown): Record<string, string> =>
  Object.fromEntries(
    (Array.isArray(v) ? (v as Props[]) : []).map((l) => [String(l.label), String(l.value)]),
  );

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class DockerApplier {
  private readonly state = new Map<string, Applied>();
  readonly steps: Step[] = [];
  readonly stops: StopFigure[] = [];

  constructor(
    readonly docker: Docker,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The physical name of the resource whose URN ends with `::<logical name>`. */
  physicalName(logical: string): string {
    const found = [...this.state.values()].find((a) => a.urn.endsWith(`::${logical}`));
    if (!found) throw new ApplyError(`no applied resource named ${logical}`);
    return found.physical;
  }

  /** The inputs the resource with this URN was last applied with (revealed), if any. */
  inputsOf(urn: string): Props | undefined {
    return this.state.get(urn)?.inputs;
  }

  /** The physical names of the resources whose logical names match `pattern`. */
  physicalNames(pattern: RegExp): string[] {
    return [...this.state.values()]
      .filter((a) => pattern.test(a.urn.slice(a.urn.lastIndexOf("::") + 2)))
      .map((a) => a.physical);
  }

  /** One `pulumi up`: brings the engine to what the program registered. */
  async up(run: ProgramRun): Promise<Step[]> {
    const wanted = topoSort(run.resources.filter((r) => r.custom && MANAGED.has(r.type)));
    const wantedUrns = new Set(wanted.map((r) => r.urn));
    const steps: Step[] = [];
    const condemned: Applied[] = [];
    for (const r of wanted) steps.push(await this.apply(r, condemned));
    // Deletes come after the program has registered everything: pulumi/pulumi
    // pkg/resource/deploy/deployment_executor.go, performPostSteps, runs GenerateDeletes for
    // what the program no longer registers and for the old halves of create-before-delete
    // replacements ("marked for deletion", step_generator.go), then ScheduleDeletes in
    // reverse dependency order. So a replaced replica outlives its healthy successor.
    const leaving = [...this.state.values()].filter((old) => !wantedUrns.has(old.urn));
    for (const old of [...leaving, ...condemned].reverse()) steps.push(await this.delete(old));
    this.steps.push(...steps);
    return steps;
  }

  /** `pulumi destroy`: everything, dependents first; protected resources refuse (the engine's rule). */
  async destroy(): Promise<Step[]> {
    // Deletes are generated for the whole stack before any runs, so one protected resource
    // stops the destroy before anything is deleted.
    const guarded = [...this.state.values()].find((a) => a.protect);
    if (guarded) throw new ApplyError(`${guarded.urn} cannot be deleted because it is protected`);
    const steps: Step[] = [];
    for (const old of [...this.state.values()].reverse()) steps.push(await this.delete(old));
    this.steps.push(...steps);
    return steps;
  }

  private async apply(r: CapturedResource, condemned: Applied[]): Promise<Step> {
    const started = performance.now();
    const inputs = reveal(r.properties) as Props;
    const physical = String((r.state as Props).name ?? r.name);
    const old = this.state.get(r.urn);
    const done = (op: StepOp, changed?: string[]): Step => {
      const step = {
        op,
        urn: r.urn,
        type: r.type,
        name: r.name,
        ms: performance.now() - started,
        changed,
      };
      this.log(
        `${op.padEnd(7)} ${r.type.split(":").pop()} ${r.name}${changed ? ` (${changed.join(", ")})` : ""}`,
      );
      return step;
    };
    const record = (id: string, name = physical) =>
      this.state.set(r.urn, {
        urn: r.urn,
        type: r.type,
        physical: name,
        id,
        inputs,
        dependencies: r.dependencies,
        protect: r.options.protect,
        retainOnDelete: r.options.retainOnDelete,
      });

    if (!old) {
      record(await this.create(r.type, physical, inputs));
      return done("create");
    }
    const changed = Object.keys({ ...old.inputs, ...inputs }).filter(
      (k) => k !== "name" && !sameJson(old.inputs[k], inputs[k]),
    );
    if (changed.length === 0) return done("same");
    const replaceOn = new Set(r.options.replaceOnChanges);
    const inPlace =
      r.type === CONTAINER &&
      changed.every((k) => (UPDATABLE.has(k) || STATE_ONLY.has(k)) && !replaceOn.has(k));
    if (inPlace) {
      if (changed.some((k) => UPDATABLE.has(k))) await this.updateContainer(old.id, inputs);
      record(old.id, old.physical);
      return done("update", changed);
    }
    if (old.protect) {
      throw new ApplyError(
        `${r.urn} is protected and its change (${changed.join(", ")}) needs a replacement`,
      );
    }
    // step_generator.go: deleteBeforeReplace deletes the old resource first; otherwise the
    // new one is created first (under a new auto-name), then the old one deleted.
    if (r.options.deleteBeforeReplace) {
      await this.deletePhysical(old);
      record(await this.create(r.type, physical, inputs));
    } else {
      const fresh = physical === old.physical ? `${physical}-r${Date.now() % 100_000}` : physical;
      const id = await this.create(r.type, fresh, inputs);
      // The old one is deleted with the other deletes, after the program is done (see up).
      condemned.push({ ...old, urn: `${old.urn}#replaced` });
      record(id, fresh);
    }
    return done("replace", changed);
  }

  private async delete(old: Applied): Promise<Step> {
    const started = performance.now();
    if (old.protect) {
      // The engine refuses before touching anything: "resource … cannot be deleted because it
      // is protected" (pkg/resource/deploy/step_generator.go, protect checks on delete).
      throw new ApplyError(`${old.urn} cannot be deleted because it is protected`);
    }
    if (!old.retainOnDelete) await this.deletePhysical(old);
    this.state.delete(old.urn);
    this.log(
      `${old.retainOnDelete ? "retain " : "delete "} ${old.type.split(":").pop()} ${old.physical}`,
    );
    return {
      op: old.retainOnDelete ? "retain" : "delete",
      urn: old.urn,
      type: old.type,
      name: old.physical,
      ms: performance.now() - started,
    };
  }

  /** Drops protection, as `pulumi state unprotect` would, so a test can clean up. */
  unprotectAll(): void {
    for (const [urn, a] of this.state) this.state.set(urn, { ...a, protect: false });
  }

  private async create(type: string, name: string, p: Props): Promise<string> {
    switch (type) {
      case NETWORK: {
        // resource_docker_network_funcs.go, resourceDockerNetworkCreate
        const n = await this.docker.createNetwork({
          Name: name,
          Driver: typeof p.driver === "string" ? p.driver : "bridge",
          Internal: p.internal === true,
          Labels: labelsOf(p.labels),
          CheckDuplicate: true,
        });
        return n.id;
      }
      case VOLUME: {
        // resource_docker_volume.go, resourceDockerVolumeCreate
        await this.docker.createVolume({ Name: name, Driver: "local", Labels: labelsOf(p.labels) });
        return name;
      }
      case CONTAINER:
        return this.createContainer(name, p);
      default:
        throw new ApplyError(`unsupported type ${type}`);
    }
  }

  /** resource_docker_container_funcs.go, resourceDockerContainerCreate, step by step. */
  private async createContainer(name: string, p: Props): Promise<string> {
    const image = String(p.image);
    // findImage: there is no registry here, so the image must already be on the engine.
    await this.docker
      .getImage(image)
      .inspect()
      .catch(() => {
        throw new ApplyError(
          `Unable to create container with image ${image}: not on the engine (no pull here)`,
        );
      });
    const ports = (Array.isArray(p.ports) ? p.ports : []) as Props[];
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const port of ports) {
      const key = `${Number(port.internal)}/${String(port.protocol ?? "tcp")}`;
      exposed[key] = {};
      bindings[key] = [
        { HostIp: String(port.ip ?? "0.0.0.0"), HostPort: String(port.external ?? port.internal) },
      ];
    }
    const hc = p.healthcheck as Props | undefined;
    const caps = (p.capabilities ?? {}) as Props;
    const volumes = (Array.isArray(p.volumes) ? p.volumes : []) as Props[];
    const c = await this.docker.createContainer({
      name,
      Image: image,
      Cmd: Array.isArray(p.command) ? (p.command as string[]) : undefined,
      Env: Array.isArray(p.envs) ? (p.envs as string[]) : undefined,
      User: typeof p.user === "string" ? p.user : undefined,
      StopSignal: typeof p.stopSignal === "string" ? p.stopSignal : undefined,
      // d.GetOk("stop_timeout"): 0 counts as unset, and Docker's 10 s applies.
      StopTimeout:
        typeof p.stopTimeout === "number" && p.stopTimeout > 0 ? p.stopTimeout : undefined,
      Labels: labelsOf(p.labels),
      ExposedPorts: exposed,
      Healthcheck: hc
        ? {
            Test: hc.tests as string[],
            Interval: ns(hc.interval),
            Timeout: ns(hc.timeout),
            StartPeriod: ns(hc.startPeriod),
            // Docker 20.10 (API 1.41) ignores StartInterval; 25+ honours it.
            ...({ StartInterval: ns(hc.startInterval) } as object),
            Retries: Number(hc.retries ?? 0),
          }
        : undefined,
      HostConfig: {
        PortBindings: bindings,
        Binds: volumes
          .filter((v) => typeof v.volumeName === "string")
          .map(
            (v) => `${String(v.volumeName)}:${String(v.containerPath)}${v.readOnly ? ":ro" : ""}`,
          ),
        RestartPolicy: {
          Name: typeof p.restart === "string" ? p.restart : "no",
          MaximumRetryCount: Number(p.maxRetryCount ?? 0),
        },
        Memory: typeof p.memory === "number" ? p.memory * 1024 * 1024 : undefined,
        MemorySwap: swapBytes(p.memorySwap),
        NanoCpus: typeof p.cpus === "string" ? Math.round(Number(p.cpus) * 1e9) : undefined,
        CapAdd: caps.adds as string[] | undefined,
        CapDrop: caps.drops as string[] | undefined,
        SecurityOpt: p.securityOpts as string[] | undefined,
        Privileged: p.privileged === true,
        ReadonlyRootfs: p.readOnly === true,
        LogConfig: {
          Type: typeof p.logDriver === "string" ? p.logDriver : "json-file",
          Config: (p.logOpts ?? {}) as Record<string, string>,
        },
        Init: false,
      },
    });
    // networks_advanced: off the default bridge, onto each network with its aliases.
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
    // upload: one tar entry per file, Name = the absolute path, Mode, no owner; extracted at "/".
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
    if (p.start === false) return c.id;
    await c.start();
    if (p.wait === true) await this.waitHealthy(c, Number(p.waitTimeout ?? 60), name);
    return c.id;
  }

  /** The provider's wait: inspect every second until healthy, fail at wait_timeout. */
  private async waitHealthy(c: Docker.Container, timeoutS: number, name: string): Promise<void> {
    const deadline = Date.now() + timeoutS * 1_000;
    for (;;) {
      const info = await c.inspect();
      if (!info.State.Health) {
        throw new ApplyError(
          "you have supplied a 'wait' argument, but the container does not have a healthcheck defined",
        );
      }
      if (info.State.Health.Status === "healthy") return;
      if (Date.now() >= deadline) {
        const last = info.State.Health.Log?.at(-1)?.Output?.trim() ?? "";
        throw new ApplyError(
          `container ${name} failed to be in healthy state in time (${timeoutS} s; status ${info.State.Health.Status}, running ${info.State.Running}, restarts ${info.RestartCount}; last probe: ${last.slice(0, 200)})`,
        );
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  /** resourceDockerContainerUpdate: restart policy and resources, nothing else. */
  private async updateContainer(id: string, p: Props): Promise<void> {
    await this.docker.getContainer(id).update({
      RestartPolicy: {
        Name: typeof p.restart === "string" ? p.restart : "no",
        MaximumRetryCount: Number(p.maxRetryCount ?? 0),
      },
      Memory: typeof p.memory === "number" ? p.memory * 1024 * 1024 : 0,
      // d.GetOk("memory_swap"): sent only when set; -1 (unlimited) passes through.
      ...(swapBytes(p.memorySwap) === undefined ? {} : { MemorySwap: swapBytes(p.memorySwap) }),
    });
  }

  private async deletePhysical(old: Applied): Promise<void> {
    switch (old.type) {
      case CONTAINER: {
        // resourceDockerContainerDelete: stop with destroy_grace_seconds (0 when unset, which
        // overrides the container's StopTimeout), then force-remove.
        const c = this.docker.getContainer(old.id);
        const grace = Number(old.inputs.destroyGraceSeconds ?? 0);
        const started = performance.now();
        const at = Date.now();
        await c.stop({ t: grace > 0 ? grace : 0 }).catch(ignoreGone);
        const ms = performance.now() - started;
        const exitCode = await c.inspect().then(
          (i) => i.State.ExitCode,
          () => -1,
        );
        this.stops.push({ name: old.physical, graceS: grace, at, ms, exitCode });
        await c.remove({ force: true }).catch(ignoreGone);
        return;
      }
      case NETWORK:
        await this.docker.getNetwork(old.id).remove().catch(ignoreGone);
        return;
      case VOLUME:
        await this.docker.getVolume(old.id).remove().catch(ignoreGone);
        return;
    }
  }
}

/** memory_swap in MB, as the provider converts it (a value > 0 is MB; -1 stays -1). */
function swapBytes(v: unknown): number | undefined {
  if (typeof v !== "number" || v === 0) return undefined;
  return v > 0 ? v * 1024 * 1024 : v;
}

function ignoreGone(err: unknown): void {
  const code = (err as { statusCode?: number }).statusCode;
  if (code === 304 || code === 404) return; // already stopped / already gone
  throw err;
}

/** Dependencies first (the engine only starts a step once its dependencies' steps are done). */
function topoSort(resources: CapturedResource[]): CapturedResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const out: CapturedResource[] = [];
  const seen = new Set<string>();
  const visit = (r: CapturedResource) => {
    if (seen.has(r.urn)) return;
    seen.add(r.urn);
    const deps = [...r.dependencies, ...Object.values(r.propertyDependencies).flat()];
    for (const d of deps) {
      const dep = byUrn.get(d);
      if (dep) visit(dep);
    }
    out.push(r);
  };
  resources.forEach(visit);
  return out;
}
