/**
 * What `pulumi up` and `pulumi destroy` do with a captured program, done for real on the
 * private engine. There is no Pulumi CLI or provider binary here, so this follows their
 * source, at the versions facts/ records, and decides only from those facts:
 * - each resource's step comes from plan.ts (the bridge's diff against read-back state, the
 *   provider's delete-before-replace unless the program set the option, init errors);
 * - steps run as the engine runs them (facts/engine-steps.md): one chain per resource, started
 *   once its dependencies are done, up to GOMAXPROCS×4 at once; a delete-before-replace runs
 *   its deletes in its own chain; the old halves of create-before-delete replacements and
 *   removed resources are deleted after every other step, in antichains, and not at all when
 *   a step failed; `protect` is checked as each delete runs;
 * - what each step sends to Docker comes from provider.ts (the provider's own code paths).
 * It handles the resource types our stacks register; anything else is a no-op.
 */
import { availableParallelism } from "node:os";
import type Docker from "dockerode";
import type { CapturedResource, ProgramRun } from "../../gate";
import { reveal } from "../helpers/wire";
import { CONTAINER, NETWORK, VOLUME } from "./facts";
import { plan, type Plan } from "./plan";
import { autoName, DockerProvider, InitError, type StopFigure } from "./provider";

export type { StopFigure } from "./provider";

type Props = Record<string, unknown>;
const MANAGED = new Set([CONTAINER, NETWORK, VOLUME]);

export type StepOp = "create" | "same" | "update" | "replace" | "delete" | "retain";

export interface Step {
  readonly op: StepOp;
  readonly urn: string;
  readonly type: string;
  /** The logical name; for deletes, the physical one (the name Docker knows). */
  readonly name: string;
  /** The physical name the step created, kept or deleted. */
  readonly physical: string;
  /** When the step started and ended (Date.now()), and how long it took. */
  readonly at: number;
  readonly end: number;
  readonly ms: number;
  /** For update and replace: the fields whose planned value differs from state. */
  readonly changed?: string[];
  /** For replace: whether the old one was deleted first. */
  readonly deleteFirst?: boolean;
}

interface Applied {
  readonly urn: string;
  readonly type: string;
  readonly physical: string;
  readonly id: string;
  /** The inputs of the last successful step (revealed). */
  readonly inputs: Props;
  /** What the provider's Read wrote: the next diff is against this. */
  readonly state: Props;
  readonly dependencies: string[];
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly initErrors?: string[];
  /** Deleted by a delete-before-replace whose create did not succeed. */
  readonly pendingReplacement?: boolean;
}

export class ApplyError extends Error {}

/** pulumi/pulumi pkg/cmd/pulumi up.go defaultParallel: PULUMI_PARALLEL, else GOMAXPROCS × 4. */
export function defaultParallel(): number {
  const env = Number(process.env.PULUMI_PARALLEL);
  return env > 0 ? env : availableParallelism() * 4;
}

export class DockerApplier {
  private readonly state = new Map<string, Applied>();
  /** Old halves of create-before-delete replacements, marked `Delete: true` in the snapshot. */
  private pendingDeletes: Applied[] = [];
  readonly steps: Step[] = [];
  readonly provider: DockerProvider;
  /** Each URN's plan in the last up, for failure messages and tests. */
  readonly lastPlan = new Map<string, Plan>();

  constructor(
    readonly docker: Docker,
    private readonly log: (line: string) => void = () => undefined,
    private readonly parallel = defaultParallel(),
  ) {
    this.provider = new DockerProvider(docker);
  }

  get stops(): StopFigure[] {
    return this.provider.stops;
  }

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

  /** Init errors the engine keeps for this URN (a create whose wait failed). */
  initErrorsOf(urn: string): readonly string[] {
    return this.state.get(urn)?.initErrors ?? [];
  }

  /** The physical names of the resources whose logical names match `pattern`. */
  physicalNames(pattern: RegExp): string[] {
    return [...this.state.values()]
      .filter((a) => pattern.test(a.urn.slice(a.urn.lastIndexOf("::") + 2)))
      .map((a) => a.physical);
  }

  /** One `pulumi up`: brings the engine to what the program registered. */
  async up(run: ProgramRun): Promise<Step[]> {
    const wanted = managed(run);
    const wantedUrns = new Set(wanted.map((r) => r.urn));
    const steps: Step[] = [];
    const failures: string[] = [];
    const recreate = new Set<string>();
    const pool = new Pool(this.parallel);
    const done = new Map<string, Promise<void>>();
    for (const r of topoSort(wanted)) {
      const deps = dependenciesOf(r).filter((d) => done.has(d));
      done.set(
        r.urn,
        (async () => {
          // A RegisterResource resolves only once its step is done, so a dependent registers,
          // and its chain starts, after its dependencies' (engine-steps.md, section 3).
          await Promise.all(deps.map((d) => done.get(d)));
          if (failures.length > 0) return; // a failed step cancels the deployment
          await pool.run(async () => {
            if (failures.length > 0) return;
            try {
              steps.push(...(await this.step(r, wanted, recreate)));
            } catch (err) {
              const p = this.lastPlan.get(r.urn);
              const why = p ? ` [planned ${p.op}: ${p.changed.join(", ") || "no change"}]` : "";
              failures.push(`${r.urn}: ${(err as Error).message}${why}`);
            }
          });
        })(),
      );
    }
    await Promise.all(done.values());
    this.steps.push(...steps);
    if (failures.length > 0) {
      // performPostSteps never runs: replaced halves stay pending for the next up.
      throw new ApplyError(`update failed:\n  ${failures.join("\n  ")}`);
    }
    const leaving = [...this.state.values()].filter((old) => !wantedUrns.has(old.urn));
    const deletes = await this.runDeletes([...leaving, ...this.pendingDeletes]);
    this.pendingDeletes = [];
    return [...steps, ...deletes];
  }

  /**
   * `pulumi destroy`. With a preview (the CLI's default, even with --yes) a protected resource
   * fails the preview and nothing is deleted. With `skipPreview` (the Automation API and
   * pulumi/actions always pass --skip-preview) every other resource is deleted, antichain by
   * antichain, and the run then fails on the protected one (DeleteStep.Apply; the step
   * executor continues past that error).
   */
  async destroy(o: { skipPreview?: boolean } = {}): Promise<Step[]> {
    const all = [...this.state.values(), ...this.pendingDeletes];
    if (!o.skipPreview) {
      const guarded = [...this.state.values()].find((a) => a.protect);
      if (guarded) throw new ApplyError(protectedError(guarded));
    }
    const steps = await this.runDeletes(all);
    this.pendingDeletes = [];
    return steps;
  }

  /**
   * `pulumi refresh` (or `up --refresh`) for resources that are gone: the provider's Read finds
   * no container or volume and clears the ID (kreuzwerker/terraform-provider-docker
   * resource_docker_container_funcs.go resourceDockerContainerRead and
   * resource_docker_volume.go resourceDockerVolumeRead: not found → d.SetId("")), and the engine
   * then drops the resource from state (pulumi/pulumi pkg/resource/deploy/step.go, RefreshStep:
   * a Read that returns no ID deletes it), protected or not. The next `up` creates it again.
   * Returns the URNs dropped.
   */
  async refresh(): Promise<string[]> {
    const gone: string[] = [];
    for (const [urn, a] of this.state) {
      const probe =
        a.type === "docker:index/container:Container"
          ? this.docker.getContainer(a.id).inspect()
          : a.type === "docker:index/volume:Volume"
            ? this.docker.getVolume(a.physical).inspect()
            : undefined;
      if (probe === undefined) continue;
      const exists = await probe.then(
        () => true,
        (e: { statusCode?: number }) => {
          if (e.statusCode === 404) return false;
          throw e;
        },
      );
      if (!exists) {
        this.state.delete(urn);
        gone.push(urn);
      }
    }
    return gone;
  }

  /** Drops protection, as `pulumi state unprotect` would, so a test can clean up. */
  unprotectAll(): void {
    for (const [urn, a] of this.state) this.state.set(urn, { ...a, protect: false });
  }

  /** One resource's chain of steps. */
  private async step(
    r: CapturedResource,
    wanted: CapturedResource[],
    recreate: Set<string>,
  ): Promise<Step[]> {
    const at = Date.now();
    const inputs = reveal(r.properties) as Props;
    const old = this.state.get(r.urn);
    const record = (id: string, physical: string, state: Props, initErrors?: string[]) =>
      this.state.set(r.urn, {
        urn: r.urn,
        type: r.type,
        physical,
        id,
        inputs,
        state,
        dependencies: dependenciesOf(r),
        protect: r.options.protect,
        retainOnDelete: r.options.retainOnDelete,
        initErrors,
      });
    const finish = (op: StepOp, physical: string, p?: Plan): Step => {
      const end = Date.now();
      this.log(
        `${op.padEnd(7)} ${r.type.split(":").pop()} ${r.name}${p?.changed.length ? ` (${p.changed.join(", ")})` : ""}`,
      );
      return {
        op,
        urn: r.urn,
        type: r.type,
        name: r.name,
        physical,
        at,
        end,
        ms: end - at,
        changed: p?.changed,
        deleteFirst: op === "replace" ? p?.deleteBeforeReplace : undefined,
      };
    };
    const create = async (physical: string) => {
      try {
        const made = await this.provider.create(r.type, physical, inputs);
        record(made.id, physical, made.state);
      } catch (err) {
        if (err instanceof InitError) record(err.id, physical, err.state, [err.message]);
        throw err;
      }
    };
    const physicalOf = () => String((r.state as Props).name ?? r.name);
    // Every replacement re-runs Check without the old inputs, so an auto-named resource gets a
    // fresh name, delete-first or not (SG L2003-2021, and L1321-1330 when recreating).
    const replacementName = () =>
      inputs.name === undefined ? autoName(r.name) : String(inputs.name);

    // Deleted earlier in this up as a dependent of a delete-before-replace: recreated, no diff.
    if (recreate.has(r.urn) || old?.pendingReplacement) {
      const fresh = replacementName();
      await create(fresh);
      return [finish("replace", fresh)];
    }
    const p = plan(r.type, old, inputs, r.options);
    this.lastPlan.set(r.urn, p);
    if (!old) {
      await create(physicalOf());
      return [finish("create", physicalOf())];
    }
    if (p.op === "same") return [finish("same", old.physical, p)];
    if (p.op === "update") {
      await this.provider.update(r.type, old.id, inputs, p.changed);
      // The bridge's new state is the plan: config values over the prior state; no Read.
      record(old.id, old.physical, { ...old.state, ...inputs, name: old.state.name });
      return [finish("update", old.physical, p)];
    }
    // Replacing a resource protected before and after fails before any create (SG).
    if (old.protect && r.options.protect) throw new ApplyError(protectedError(old));
    if (p.deleteBeforeReplace) {
      const out: Step[] = [];
      for (const dep of forcedDependents(r, wanted, this.state)) {
        out.push(await this.deleteOne(dep, true));
        recreate.add(dep.urn);
      }
      out.push(await this.deleteOne(old, true));
      // Until the create succeeds the old state stays, pending replacement (SG section 1).
      this.state.set(r.urn, { ...old, pendingReplacement: true });
      const fresh = replacementName();
      await create(fresh);
      out.push(finish("replace", fresh, p));
      return out;
    }
    // Create-before-delete. The old half is marked for deletion after the program only when
    // the create succeeded or failed its initialisation (step.go: an outright create error
    // returns before `s.old.Delete = true`).
    const fresh = replacementName();
    const condemn = () => this.pendingDeletes.push({ ...old, urn: `${old.urn}#replaced` });
    try {
      await create(fresh);
    } catch (err) {
      if (err instanceof InitError) condemn();
      else this.state.set(r.urn, old);
      throw err;
    }
    condemn();
    return [finish("replace", fresh, p)];
  }

  /**
   * Deletes in antichains over the old dependency graph, parallel within each
   * (deployment_executor.go performPostSteps). What a failed delete depends on is skipped in
   * later antichains; a failure other than protect cancels the rest (step_executor.go).
   */
  private async runDeletes(condemned: Applied[]): Promise<Step[]> {
    const steps: Step[] = [];
    const errors: string[] = [];
    const byUrn = new Map(condemned.map((a) => [a.urn, a]));
    const skipped = new Set<string>();
    const skipDependenciesOf = (a: Applied) => {
      for (const d of a.dependencies) {
        if (skipped.has(d)) continue;
        skipped.add(d);
        const dep = byUrn.get(d);
        if (dep) skipDependenciesOf(dep);
      }
    };
    let cancelled = false;
    for (const level of antichains(condemned)) {
      if (cancelled) break;
      const run = level.filter((a) => !skipped.has(a.urn));
      const results = await Promise.allSettled(
        run.map((a) => this.deleteOne(a, a.urn.endsWith("#replaced"))),
      );
      results.forEach((res, i) => {
        if (res.status === "fulfilled") return steps.push(res.value);
        const message = (res.reason as Error).message;
        errors.push(message);
        skipDependenciesOf(run[i]!);
        if (!/because it is protected/.test(message)) cancelled = true;
      });
    }
    this.steps.push(...steps);
    if (errors.length > 0) throw new ApplyError(errors.join("\n"));
    return steps;
  }

  private async deleteOne(old: Applied, replacing: boolean): Promise<Step> {
    const at = Date.now();
    // DeleteStep.Apply: protect is checked here, as each delete runs; not for a replacement's
    // own delete, which the step generator checked before.
    if (old.protect && !replacing) throw new ApplyError(protectedError(old));
    if (!old.retainOnDelete) {
      await this.provider.delete(old.type, old.id, old.physical, old.inputs);
    }
    const urn = old.urn.replace(/#replaced$/, "");
    if (this.state.get(urn)?.id === old.id) this.state.delete(urn);
    this.log(
      `${old.retainOnDelete ? "retain " : "delete "} ${old.type.split(":").pop()} ${old.physical}`,
    );
    const end = Date.now();
    return {
      op: old.retainOnDelete ? "retain" : "delete",
      urn,
      type: old.type,
      name: old.physical,
      physical: old.physical,
      at,
      end,
      ms: end - at,
    };
  }
}

const protectedError = (a: Applied) =>
  `resource ${a.urn} cannot be deleted because it is protected. To unprotect the resource, either remove the \`protect\` flag from the resource in your Pulumi program and run \`pulumi up\`, or use the command: \`pulumi state unprotect '${a.urn}'\``;

const managed = (run: ProgramRun) => run.resources.filter((r) => r.custom && MANAGED.has(r.type));

const dependenciesOf = (r: CapturedResource) => [
  ...new Set([...r.dependencies, ...Object.values(r.propertyDependencies).flat()]),
];

/**
 * The dependents a delete-before-replace of `r` must delete first: those with a property
 * dependency on it whose field would force their own replacement (SG
 * calculateDependentReplacements; a plain dependsOn does not count), dependents first.
 */
function forcedDependents(
  r: CapturedResource,
  wanted: CapturedResource[],
  state: Map<string, Applied>,
): Applied[] {
  const out: Applied[] = [];
  for (const d of wanted) {
    const fields = Object.entries(d.propertyDependencies)
      .filter(([, urns]) => urns.includes(r.urn))
      .map(([field]) => field);
    const old = state.get(d.urn);
    if (!old || fields.length === 0) continue;
    const unknown = Object.fromEntries(fields.map((f) => [f, { __unknown: true }]));
    const p = plan(d.type, old, { ...(reveal(d.properties) as Props), ...unknown }, d.options);
    if (p.op === "replace") out.push(old);
  }
  return out.reverse();
}

/** SG ScheduleDeletes: level = the longest chain of condemned dependencies below; highest first. */
function antichains(condemned: Applied[]): Applied[][] {
  const byUrn = new Map(condemned.map((a) => [a.urn, a]));
  const level = new Map<string, number>();
  const levelOf = (a: Applied): number => {
    const known = level.get(a.urn);
    if (known !== undefined) return known;
    level.set(a.urn, 0);
    const below = a.dependencies
      .map((d) => byUrn.get(d))
      .filter((d): d is Applied => d !== undefined && d !== a);
    const l = below.length === 0 ? 0 : 1 + Math.max(...below.map(levelOf));
    level.set(a.urn, l);
    return l;
  };
  condemned.forEach(levelOf);
  const max = Math.max(0, ...level.values());
  const rounds: Applied[][] = Array.from({ length: max + 1 }, () => []);
  for (const a of condemned) rounds[max - (level.get(a.urn) ?? 0)]!.push(a);
  return rounds.filter((r) => r.length > 0);
}

/** Dependencies first. */
function topoSort(resources: CapturedResource[]): CapturedResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const out: CapturedResource[] = [];
  const seen = new Set<string>();
  const visit = (r: CapturedResource) => {
    if (seen.has(r.urn)) return;
    seen.add(r.urn);
    for (const d of dependenciesOf(r)) {
      const dep = byUrn.get(d);
      if (dep) visit(dep);
    }
    out.push(r);
  };
  resources.forEach(visit);
  return out;
}

/** At most `size` chains at once, as the step executor's worker pool. */
class Pool {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
