import { isUnknown } from "./unknown";

/** One `NAME=value` entry of a Docker container's `envs`. */
export interface EnvVar {
  readonly name: string;
  readonly value: string;
  readonly index: number;
}

export interface ParsedEnvs {
  readonly vars: readonly EnvVar[];
  /** "whole": `envs` itself is unknown; "partial": some entries are; undefined: all known. */
  readonly unknown?: "whole" | "partial";
}

/** Parses Docker `envs` (`["A=1", "B=2"]`). Later duplicates win, as in Docker. */
export function parseEnvs(envs: unknown): ParsedEnvs {
  if (isUnknown(envs)) {
    return { vars: [], unknown: "whole" };
  }
  if (!Array.isArray(envs)) {
    return { vars: [] };
  }
  const vars: EnvVar[] = [];
  let partial = false;
  envs.forEach((entry, index) => {
    if (isUnknown(entry)) {
      partial = true;
      return;
    }
    if (typeof entry !== "string") {
      return;
    }
    const eq = entry.indexOf("=");
    if (eq <= 0) {
      return;
    }
    vars.push({ name: entry.slice(0, eq), value: entry.slice(eq + 1), index });
  });
  return partial ? { vars, unknown: "partial" } : { vars };
}

export function envValue(envs: ParsedEnvs, name: string): string | undefined {
  let found: string | undefined;
  for (const v of envs.vars) {
    if (v.name === name) {
      found = v.value;
    }
  }
  return found;
}
