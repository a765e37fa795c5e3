/**
 * `npm run bench:profile`: where a policy pack's CPU goes under the bench's load (200 + 3 × N
 * containers through Analyze, then AnalyzeStack), as self and inclusive time per function.
 * The figures behind docs/testing.md "Where the pack's time goes".
 */
import * as fs from "fs";
import * as inspector from "inspector";
import * as os from "os";
import * as path from "path";
import { startPolicyPack } from "../gate";
import { benchAnalysis, type BenchOptions } from "./analyzer-bench";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}
interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** Self and inclusive milliseconds per function (name, file relative to the repo, line). */
export function summarise(
  p: CpuProfile,
  root: string,
): { self: Map<string, number>; inclusive: Map<string, number>; totalMs: number } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n: ProfileNode) =>
    `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url
      .replace(/^file:\/\//, "")
      .replace(`${root}/node_modules/`, "")
      .replace(`${root}/`, "")}:${n.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const k = key(byId.get(id)!);
    self.set(k, (self.get(k) ?? 0) + ms);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const kk = key(byId.get(cur)!);
      if (!seen.has(kk)) {
        seen.add(kk);
        inclusive.set(kk, (inclusive.get(kk) ?? 0) + ms);
      }
    }
  });
  return { self, inclusive, totalMs: total };
}

/** Where a sample's function lives, in the few groups docs/testing.md reports. */
export function categoryOf(fn: string, url: string): string {
  if (fn === "(idle)") return "idle";
  if (fn === "(garbage collector)") return "garbage collector";
  if (url.includes("profile-hook") || url === "node:inspector") return "the profiler itself";
  if (url.includes("/node_modules/")) {
    if (url.includes("google-protobuf") || url.endsWith("_pb.js"))
      return "protobuf (google-protobuf)";
    if (url.includes("@grpc/grpc-js")) return "gRPC (@grpc/grpc-js)";
    if (url.includes("@pulumi/policy")) return "@pulumi/policy (server, proxies)";
    return "other packages";
  }
  if (url.includes("/policy/")) return "the pack's rules (policy/)";
  if (url.includes("/gate/") || url.includes("/bench/"))
    return "the bench's client (gate/, bench/)";
  if (url.startsWith("node:")) return "Node (http2, streams, events)";
  return "V8 and native";
}

/** The client's marshalling: before the bench's clock starts, unless --encode-in-loop. */
const PREPARE = new Set(["prepareAnalyze", "prepareAnalyzeStack"]);

/** CPU by category, in ms per resource. */
export function categories(p: CpuProfile, resources: number): [string, number][] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const preparing = (id: number): boolean => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      if (PREPARE.has(byId.get(cur)!.callFrame.functionName)) return true;
    }
    return false;
  };
  const out = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const k = preparing(id)
      ? "marshalling requests (prepareAnalyze*)"
      : categoryOf(n.callFrame.functionName, n.callFrame.url);
    out.set(k, (out.get(k) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000 / resources);
  });
  return [...out].sort((a, b) => b[1] - a[1]);
}

/** Samples this process's CPU (the bench's client side) until the returned stop is called. */
async function profileSelf(): Promise<() => Promise<CpuProfile>> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 200 });
  await post("Profiler.start");
  return async () => {
    const { profile } = (await post("Profiler.stop")) as { profile: CpuProfile };
    session.disconnect();
    return profile;
  };
}

/**
 * Profiles the pack in `dir` under prod.json and prints the top `top` of each list: the pack's
 * steady state (start-up, compilation and the 200-container warm-up are dropped, through
 * profile-hook.cjs's SIGUSR2), then the client's (this process: encoding the requests, gRPC,
 * decoding the diagnostics), which the bench's wall figure also contains.
 */
export async function profilePack(
  dir = "policy",
  containers = 1000,
  top = 25,
  opts: BenchOptions = {},
): Promise<void> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pack-profile-")), "pack.cpuprofile");
  const pack = await startPolicyPack(dir, {
    nodeArgs: ["--require", path.resolve(__dirname, "profile-hook.cjs")],
    env: { PROFILE_OUT: out },
  });
  let client: CpuProfile;
  try {
    await pack.configureFile(`${dir}/config/prod.json`);
    await benchAnalysis(pack, 200, opts);
    process.kill(pack.pid, "SIGUSR2");
    const deadline = Date.now() + 5000;
    while (!pack.stderr().includes("profile-hook: restarted") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const stopSelf = await profileSelf();
    for (let i = 0; i < 3; i++) {
      const r = await benchAnalysis(pack, containers, opts);
      console.log(`run ${i + 1}: ${r.msPerResource.toFixed(3)} ms/resource (under the profiler)`);
    }
    client = await stopSelf();
    fs.writeFileSync(out.replace(/pack\.cpuprofile$/, "client.cpuprofile"), JSON.stringify(client));
  } finally {
    await pack.stop();
  }
  const root = path.resolve(".");
  // 3 runs of `containers` containers and a password each, through Analyze and AnalyzeStack.
  const resources = 3 * (containers + 1);
  const print = (title: string, p: CpuProfile) => {
    const s = summarise(p, root);
    const byCategory = categories(p, resources)
      .map(([k, ms]) => `${ms.toFixed(3).padStart(7)} ms/resource  ${k}`)
      .join("\n");
    console.log(`\n${title}, by category (per resource):\n${byCategory}`);
    const list = (m: Map<string, number>) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(
          ([k, ms]) =>
            `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / s.totalMs).toFixed(1).padStart(5)} %  ${k}`,
        )
        .join("\n");
    console.log(`\n${title}: ${s.totalMs.toFixed(0)} ms sampled\n-- self --\n${list(s.self)}`);
    console.log(`-- inclusive --\n${list(s.inclusive)}`);
  };
  print(`pack (steady state, ${out})`, JSON.parse(fs.readFileSync(out, "utf8")) as CpuProfile);
  print("client (this process)", client);
}
