/**
 * Works out whether a Redis/Valkey container requires authentication, from what Redis itself
 * would read: the `redis-server` arguments in `command`, the config/ACL files it loads from
 * `uploads`, and (for Bitnami images only) the REDIS_PASSWORD-style env vars.
 */
import { envValue, ParsedEnvs, parseEnvs } from "./env";
import { isBitnamiImage } from "./image";
import {
  applyConfigText,
  applyDirective,
  user,
  type FileLookup,
  type FoundPassword,
  type State,
} from "./redis-acl";
import {
  firstServerCommand,
  hostMounted,
  readUploads,
  SERVER,
  splitConfigArgs,
} from "./redis-inputs";
import { basename, shellScript } from "./shell";
import { containsUnknown } from "./unknown";

export { splitConfigArgs, type FoundPassword };

export interface RedisAuth {
  /** True when no enabled ACL user can log in without a password. */
  readonly requiresAuth: boolean;
  /** Enabled users that need no password (`default` unless configured). */
  readonly openUsers: readonly string[];
  /** Plaintext passwords, for the weak-secret check. */
  readonly passwords: readonly FoundPassword[];
  /** Fields whose unknown value hid part of the configuration (deferred to provenance). */
  readonly unknownFields: readonly string[];
  /** Things Redis reads that this pack cannot see (host-mounted files, missing env vars). */
  readonly unresolved: readonly string[];
  /** Explicit opt-outs such as ALLOW_EMPTY_PASSWORD=yes. */
  readonly explicitOpen: readonly string[];
  /** Notes that explain a failure, e.g. REDIS_PASSWORD ignored by the official image. */
  readonly notes: readonly string[];
}

/** Resolves `$VAR`/`${VAR}` words against the container env. */
function resolveWord(word: string, envs: ParsedEnvs, st: State): string | undefined {
  const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/.exec(word);
  if (!m) {
    if (word.includes("$(")) {
      st.unresolved.push(`a command substitution (${word.slice(0, 40)}) in the server arguments`);
      return undefined;
    }
    return word;
  }
  const name = (m[1] ?? m[2]) as string;
  const value = envValue(envs, name);
  if (value !== undefined) {
    return value;
  }
  if (envs.unknown) {
    st.unknownFields.add("envs");
    return undefined;
  }
  st.unresolved.push(`$${name}, which is not set in \`envs\``);
  return undefined;
}

/** The words redis-server receives, or undefined if `command` does not run it visibly. */
function serverArgs(p: Record<string, unknown>, envs: ParsedEnvs, st: State): string[] | undefined {
  const command = p.command;
  if (containsUnknown(command)) {
    st.unknownFields.add("command");
    return undefined;
  }
  let argv: string[] = Array.isArray(command)
    ? command.filter((c): c is string => typeof c === "string")
    : [];
  const script = shellScript(argv);
  if (script !== undefined) {
    argv = firstServerCommand(script);
    if (argv.length === 0) {
      st.unresolved.push(
        "a shell `command` that does not start redis-server/valkey-server visibly",
      );
      return undefined;
    }
  }
  let args: string[];
  if (argv.length === 0) {
    args = [];
  } else if (SERVER.test(basename(argv[0] as string))) {
    args = argv.slice(1);
  } else if ((argv[0] as string).startsWith("-") || (argv[0] as string).endsWith(".conf")) {
    // The official images' docker-entrypoint.sh prepends redis-server to these.
    args = argv;
  } else {
    st.unresolved.push(`\`command\` runs "${basename(argv[0] as string)}", not redis-server`);
    return undefined;
  }
  // redis-stack images read extra server arguments from REDIS_ARGS.
  const extra = envValue(envs, "REDIS_ARGS");
  if (extra !== undefined) {
    args = args.concat(splitConfigArgs(extra));
  } else if (envs.unknown && /redis-stack/.test(String(p.image))) {
    st.unknownFields.add("envs"); // REDIS_ARGS may hide in the unknown entries.
  }
  const resolved: string[] = [];
  for (const a of args) {
    const r = resolveWord(a, envs, st);
    if (r === undefined) {
      return undefined;
    }
    resolved.push(r);
  }
  return resolved;
}

export function analyzeRedisAuth(p: Record<string, unknown>): RedisAuth {
  const st: State = {
    users: new Map([["default", { enabled: true, nopass: true }]]),
    passwords: [],
    unknownFields: new Set(),
    unresolved: [],
    notes: [],
  };
  const explicitOpen: string[] = [];
  const envs = parseEnvs(p.envs);
  const uploads = readUploads(p.uploads);
  const image = typeof p.image === "string" ? p.image : "";

  const file: FileLookup = (path, what) => {
    const up = uploads.list.find((u) => u.file === path);
    if (up?.unknown || (!up && uploads.unknown)) {
      st.unknownFields.add("uploads");
      return undefined;
    }
    if (up?.content !== undefined) {
      return up.content;
    }
    st.unresolved.push(
      hostMounted(p, path)
        ? `the ${what} ${path}, which is mounted from the host`
        : `the ${what} ${path}, which no \`uploads\` entry provides`,
    );
    return undefined;
  };

  const args = serverArgs(p, envs, st);
  if (args !== undefined) {
    // Redis reads the config file first, then applies `--directive value…` on top of it.
    let i = 0;
    if (args[0] !== undefined && !args[0].startsWith("--")) {
      applyConfigText(st, file(args[0], "config file"), args[0], file);
      i = 1;
    }
    let current: string[] | undefined;
    for (; i < args.length; i++) {
      const a = args[i] as string;
      if (a.startsWith("--")) {
        if (current) {
          applyDirective(st, current, "command", file);
        }
        current = [a.slice(2)];
      } else if (current) {
        current.push(...(current[0] === "user" ? splitConfigArgs(a) : [a]));
      }
    }
    if (current) {
      applyDirective(st, current, "command", file);
    }
  }

  const allowEmpty = envValue(envs, "ALLOW_EMPTY_PASSWORD");
  if (allowEmpty !== undefined && /^(yes|true|1)$/i.test(allowEmpty.trim())) {
    explicitOpen.push(`ALLOW_EMPTY_PASSWORD=${allowEmpty.trim()}`);
  }
  const envPassword = envValue(envs, "REDIS_PASSWORD") ?? envValue(envs, "VALKEY_PASSWORD");
  const envPasswordFile =
    envValue(envs, "REDIS_PASSWORD_FILE") ?? envValue(envs, "VALKEY_PASSWORD_FILE");
  if (isBitnamiImage(image)) {
    // Bitnami's entrypoint turns these into requirepass.
    const d = user(st, "default");
    if (envPassword !== undefined && envPassword !== "") {
      d.nopass = false;
      st.passwords.push({ where: "envs (REDIS_PASSWORD)", value: envPassword });
    } else if (envPasswordFile) {
      d.nopass = false;
    } else if (envs.unknown) {
      st.unknownFields.add("envs");
    }
  } else if (envPassword !== undefined && st.users.get("default")?.nopass) {
    st.notes.push(
      "REDIS_PASSWORD/VALKEY_PASSWORD is set, but only Bitnami images read it; the official image ignores it",
    );
  }

  const openUsers = [...st.users.entries()]
    .filter(([, u]) => u.enabled && u.nopass)
    .map(([n]) => n);
  return {
    requiresAuth: openUsers.length === 0 && explicitOpen.length === 0,
    openUsers,
    passwords: st.passwords,
    unknownFields: [...st.unknownFields],
    unresolved: st.unresolved,
    explicitOpen,
    notes: st.notes,
  };
}
