/**
 * The corpus judged in process, as @pulumi/policy's server and the CLI would judge it: the
 * helpers behind corpus-inprocess.mutation.test.ts and corpus-messages.mutation.test.ts. Args
 * are built the way the policy server builds them (server.js makeAnalyzeRpcFun /
 * makeAnalyzeStackRpcFun: props deserialized with secrets unwrapped and wrapped in
 * `unknownCheckingProxy`; for AnalyzeStack, parent, dependencies and propertyDependencies
 * resolved by URN, unresolvable URNs dropped). Config is what the CLI sends for
 * `--policy-pack-config policy/config/prod.json` (pulumi/pulumi pkg/resource/analyzer/config.go
 * createConfigWithDefaults): each policy's schema defaults, then the file; the level is the
 * file's, else the policy's own, and "disabled" policies do not run (server.js).
 */
import * as fs from "fs";
import * as path from "path";
import {
  Policy,
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
  unknownCheckingProxy,
} from "@pulumi/policy";
import { allPolicies } from "../../../policy/policies";
import {
  asPolicySees,
  createResourceValidationArgs,
  runResourcePolicy,
  runStackPolicy,
} from "../util";

export type Level = "advisory" | "mandatory" | "remediate" | "disabled";
type FileEntry = Level | ({ enforcementLevel?: Level } & Record<string, unknown>);
const prodFile = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, "../../../policy/config/prod.json"), "utf8"),
) as Record<string, FileEntry>;

interface Configured {
  readonly level: Level;
  readonly config: Record<string, unknown>;
}

export function configure(p: Policy): Configured {
  const config: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
    if (typeof s === "object" && "default" in s) config[k] = structuredClone(s.default);
  }
  const entry = prodFile[p.name];
  const { enforcementLevel, ...props } =
    typeof entry === "string" ? { enforcementLevel: entry } : (entry ?? {});
  Object.assign(config, props);
  const level = enforcementLevel ?? p.enforcementLevel ?? "advisory";
  return { level: level === "remediate" ? "mandatory" : level, config };
}

export interface Record_ {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly properties: Record<string, unknown>;
  readonly parent?: string;
  readonly dependencies?: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

const noOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  additionalSecretOutputs: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
};

/** The plain props one policy is given for `r`: by default a fresh deserialisation each time. */
export type PropsOf = (r: Record_, request: "analyze" | "stack") => Record<string, unknown>;
const freshProps: PropsOf = (r) => asPolicySees(r.properties);

/** AnalyzeStack's resources: every URN reference resolved to the resource object it names. */
function stackResources(records: readonly Record_[], propsOf: PropsOf): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const built = records.map((r) => {
    const res: PolicyResource = {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: unknownCheckingProxy(propsOf(r, "stack")),
      opts: r.parent ? { ...noOptions, parent: r.parent } : noOptions,
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    };
    byUrn.set(r.urn, res);
    return res;
  });
  const resolve = (urns: readonly string[] = []) =>
    urns.flatMap((u) => (byUrn.has(u) ? [byUrn.get(u) as PolicyResource] : []));
  records.forEach((r, i) => {
    const res = built[i] as PolicyResource;
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    if (parent) res.parent = parent;
    res.dependencies = resolve(r.dependencies);
    for (const [k, v] of Object.entries(r.propertyDependencies ?? {})) {
      res.propertyDependencies[k] = resolve(v);
    }
  });
  return built;
}

export interface Finding {
  readonly policy: string;
  readonly level: Level;
  readonly message: string;
}

/**
 * Analyze on every resource's inputs, then AnalyzeStack on the outputs, like a preview; `only`
 * limits it to the named policies, so a mutant in one rule runs only the cases about that rule
 * (plus the clean cases, which run every policy).
 */
export async function analyzeCase(
  c: { stack: readonly Record_[]; outputs?: readonly Record_[] },
  only?: ReadonlySet<string>,
  propsOf: PropsOf = freshProps,
): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const p of allPolicies.filter((x) => only?.has(x.name) ?? true)) {
    const { level, config } = configure(p);
    if (level === "disabled") continue;
    // server.js makeReportViolationFun: the description, then the violation's own message.
    const found = (vs: readonly { message: string }[]) =>
      out.push(
        ...vs.map((v) => ({
          policy: p.name,
          level,
          message: v.message ? `${p.description}\n${v.message}` : p.description,
        })),
      );
    if ("validateResource" in p) {
      for (const r of c.stack) {
        const args = {
          ...createResourceValidationArgs(r.type, {}, { name: r.name, urn: r.urn, config }),
          props: unknownCheckingProxy(propsOf(r, "analyze")),
        };
        found(await runResourcePolicy(p as ResourceValidationPolicy, args));
      }
    } else {
      const resources = stackResources(c.outputs ?? c.stack, propsOf);
      const args = {
        resources,
        stackTags: new Map<string, string>(),
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
          throw new Error(`notApplicable: ${reason ?? ""}`);
        },
      };
      found(await runStackPolicy(p as StackValidationPolicy, args));
    }
  }
  return out;
}

export const summary = (fs_: readonly Finding[]) =>
  fs_.map((f) => `${f.policy} [${f.level}] ${f.message.split("\n")[1] ?? ""}`).join("\n");
