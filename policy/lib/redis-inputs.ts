/**
 * What a Redis container hands its server, read from the provider's inputs: the files in
 * `uploads`, which paths a host mount hides, redis.conf's word splitting, and the
 * `redis-server` invocation inside a shell `command`. redis-auth.ts decides auth from these.
 */
import { basename, firstCommand, tokenize } from "./shell";
import { containsUnknown, isUnknown } from "./unknown";

export interface Upload {
  file: string;
  content?: string;
  unknown: boolean;
}

export const SERVER = /^(redis|valkey|keydb)-(server|stack-server)$/;

/** Splits a redis.conf line the way Redis does (sdssplitargs): quotes, no shell operators. */
export function splitConfigArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\S+)/g;
  for (const m of line.matchAll(re)) {
    const v = m[1] ?? m[2] ?? m[3] ?? "";
    out.push(m[1] !== undefined ? v.replace(/\\(.)/g, "$1") : v);
  }
  return out;
}

export function readUploads(uploads: unknown): { list: Upload[]; unknown: boolean } {
  if (isUnknown(uploads)) {
    return { list: [], unknown: true };
  }
  if (!Array.isArray(uploads)) {
    return { list: [], unknown: false };
  }
  let anyUnknown = false;
  const list: Upload[] = [];
  for (const u of uploads) {
    if (isUnknown(u) || u === null || typeof u !== "object") {
      anyUnknown = anyUnknown || isUnknown(u);
      continue;
    }
    const r = u as Record<string, unknown>;
    const file = typeof r.file === "string" ? r.file : "";
    if (containsUnknown(r.content) || containsUnknown(r.contentBase64) || isUnknown(r.file)) {
      list.push({ file, unknown: true });
      anyUnknown = true;
      continue;
    }
    let content: string | undefined;
    if (typeof r.content === "string") {
      content = r.content;
    } else if (typeof r.contentBase64 === "string") {
      content = Buffer.from(r.contentBase64, "base64").toString("utf8");
    }
    list.push({ file, content, unknown: false });
  }
  return { list, unknown: anyUnknown };
}

export function hostMounted(p: Record<string, unknown>, file: string): boolean {
  const targets: unknown[] = [];
  for (const m of Array.isArray(p.mounts) ? p.mounts : []) {
    targets.push((m as Record<string, unknown> | null)?.target);
  }
  for (const v of Array.isArray(p.volumes) ? p.volumes : []) {
    targets.push((v as Record<string, unknown> | null)?.containerPath);
  }
  return targets.some((t) => typeof t === "string" && (file === t || file.startsWith(`${t}/`)));
}

/** The first `redis-server`/`valkey-server` command of a shell script, with its words. */
export function firstServerCommand(script: string): string[] {
  const tokens = tokenize(script);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as { text: string; op: boolean };
    if (!t.op && SERVER.test(basename(t.text))) {
      return firstCommand(tokens.slice(i)).map((w) => w);
    }
  }
  return [];
}
