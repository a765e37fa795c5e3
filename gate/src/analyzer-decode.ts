/**
 * The engine's side of the analyzer protocol's replies: enforcement levels, diagnostics and
 * GetAnalyzerInfo, decoded from the protobuf messages of pulumi/pulumi proto/pulumi/analyzer.proto,
 * and the pack's start-up handshake (it prints its port on stdout, as every plugin does).
 */
import type { ChildProcess } from "child_process";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import type { EnforcementLevel, PolicyInfo, PolicyPackConfigFile } from "./analyzer-config";

/** One violation the pack reported, as the engine receives it. */
export interface Diagnostic {
  readonly policyName: string;
  readonly policyPackName: string;
  readonly policyPackVersion: string;
  readonly description: string;
  readonly message: string;
  readonly enforcementLevel: EnforcementLevel;
  /** The resource the engine attributes the violation to ("" = the stack). */
  readonly urn: string;
}

/** What the pack says about itself (GetAnalyzerInfo): its name, version and policies. */
export interface AnalyzerInfo {
  readonly name: string;
  readonly version: string;
  readonly policies: readonly PolicyInfo[];
  readonly initialConfig: PolicyPackConfigFile;
}

export const LEVEL_NAMES: Record<number, EnforcementLevel> = {
  0: "advisory",
  1: "mandatory",
  2: "disabled",
  3: "remediate",
};
export const LEVEL_VALUES: Record<EnforcementLevel, number> = {
  advisory: 0,
  mandatory: 1,
  disabled: 2,
  remediate: 3,
};
/** Resolves with the port the pack prints on stdout; rejects with its output if it exits first. */
export function waitForPort(
  child: ChildProcess,
  stderr: () => string,
  timeoutMs: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => fail(new Error(`policy pack did not report a port within ${timeoutMs}ms`)),
      timeoutMs,
    );
    const fail = (e: Error): void => {
      clearTimeout(timer);
      reject(new Error(`${e.message}\n--- stderr ---\n${stderr()}\n--- stdout ---\n${out}`));
    };
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split(/\r?\n/).find((l) => /^\d+$/.test(l.trim()));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(Number(line.trim()));
      }
    });
    child.once("exit", (code, signal) =>
      fail(
        new Error(`policy pack exited (code ${code}, signal ${signal}) before reporting a port`),
      ),
    );
    child.once("error", fail);
  });
}

/** AnalyzeResponse → diagnostics, attributed to `urn` when the pack names no resource. */
export function convertDiagnostics(res: analyzerPb.AnalyzeResponse, urn: string): Diagnostic[] {
  return res.getDiagnosticsList().map((d) => ({
    policyName: d.getPolicyname(),
    policyPackName: d.getPolicypackname(),
    policyPackVersion: d.getPolicypackversion(),
    description: d.getDescription(),
    message: d.getMessage(),
    enforcementLevel: LEVEL_NAMES[d.getEnforcementlevel()] ?? "advisory",
    // The engine attributes resource diagnostics to the analyzed resource (analyze_snapshot.go).
    urn: d.getUrn() || urn,
  }));
}

/** GetAnalyzerInfo's reply as plain data: the policies, their levels and config schemas. */
export function decodeAnalyzerInfo(res: analyzerPb.AnalyzerInfo): AnalyzerInfo {
  const initialConfig: PolicyPackConfigFile = {};
  res.getInitialconfigMap().forEach((v: analyzerPb.PolicyConfig, k: string) => {
    initialConfig[k] = {
      enforcementLevel: LEVEL_NAMES[v.getEnforcementlevel()],
      ...(v.getProperties()?.toJavaScript() ?? {}),
    };
  });
  return {
    name: res.getName(),
    version: res.getVersion(),
    initialConfig,
    policies: res.getPoliciesList().map((p) => {
      const schema = p.getConfigschema();
      return {
        name: p.getName(),
        description: p.getDescription(),
        enforcementLevel: LEVEL_NAMES[p.getEnforcementlevel()] ?? "advisory",
        policyType: (["unknown", "resource", "stack"] as const)[p.getPolicyType()] ?? "unknown",
        configSchema: schema
          ? {
              properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<
                string,
                Record<string, unknown>
              >,
              required: schema.getRequiredList(),
            }
          : undefined,
      };
    }),
  };
}
