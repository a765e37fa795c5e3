/** Recognising Docker containers and their roles from raw provider properties. */
import { isRedisImage, parseImageRef } from "./image";
import { probeInvocations, parseProbe } from "./healthcheck";
import { readUploads } from "./redis-inputs";
import { basename, shellScript, tokenize } from "./shell";
import { isUnknown } from "./unknown";

export type Props = Record<string, unknown>;

/**
 * One-shot containers (migrations, seeders) run to completion: `attach: true`, `rm: true`,
 * `mustRun: false` or `start: false`. Long-running rules (healthcheck, restart, memory, logs)
 * skip them; security rules do not.
 */
export function isOneShot(p: Props): boolean {
  return p.attach === true || p.rm === true || p.mustRun === false || p.start === false;
}

const SERVER_BIN = /^(redis|valkey|keydb)-(server|stack-server)$/;

function commandRunsRedis(command: unknown): boolean {
  if (!Array.isArray(command)) {
    return false;
  }
  const argv = command.filter((c): c is string => typeof c === "string");
  const script = shellScript(argv);
  const words = script !== undefined ? tokenize(script).map((t) => t.text) : argv;
  return words.some((w) => SERVER_BIN.test(basename(w)));
}

const SHELLS = /^(sh|ash|bash|dash)$/;
/** A script that hands its arguments to another program, or builds commands from strings. */
const PASS_THROUGH = /\bexec\s+"?\$[@*{]|\beval\b|\bsource\b|(^|[\s;])\.\s/m;

/**
 * A container of a Redis image that runs a script the program uploads (`["sh", "/path"]` or
 * `["/path"]`, the image's own entrypoint) whose text starts no server and hands nothing on
 * (no `exec "$@"`, `eval` or `source`): a client of Redis, such as a backup job that runs the
 * server image for its matching `redis-cli` and `redis-check-rdb`. The official entrypoint runs
 * such a command as given (docker-library/redis docker-entrypoint.sh prepends redis-server only
 * to arguments that start with "-" or end in ".conf"). Returns the script's path, or undefined.
 */
export function uploadedClientScript(p: Props): string | undefined {
  const entry = p.entrypoints;
  if (entry !== undefined && entry !== null && !(Array.isArray(entry) && entry.length === 0)) {
    return undefined;
  }
  const argv = p.command;
  if (!Array.isArray(argv) || argv.length === 0 || argv.some((c) => typeof c !== "string")) {
    return undefined;
  }
  const words = argv as string[];
  const file = SHELLS.test(basename(words[0] as string)) ? words[1] : words[0];
  // The entrypoint makes `["/path/redis.conf"]` or `["--port", …]` a server: it prepends
  // redis-server to a first argument ending in ".conf" or starting with "-".
  if (file === undefined || !file.startsWith("/") || file.endsWith(".conf")) {
    return undefined;
  }
  const upload = readUploads(p.uploads).list.find((u) => u.file === file);
  const text = upload?.unknown ? undefined : upload?.content;
  if (text === undefined) {
    return undefined;
  }
  const starts = tokenize(text).some((t) => !t.op && SERVER_BIN.test(basename(t.text)));
  return starts || PASS_THROUGH.test(text) ? undefined : file;
}

export interface RedisIdentity {
  readonly redis: boolean;
  /** Why we think so (for messages), or why we could not tell. */
  readonly reason: string;
  /** The image string could not be classified (unknown at preview, or an image ID). */
  readonly imageOpaque: boolean;
}

/**
 * Is this container a Redis/Valkey server? The image decides when it is a readable reference;
 * otherwise (unknown at preview, or `sha256:` ID from RemoteImage.imageId) the command or a
 * healthcheck that pings redis-cli decides. The provenance stack rule covers what is left.
 */
export function redisIdentity(p: Props): RedisIdentity {
  const image = p.image;
  const opaque = isUnknown(image) || (typeof image === "string" && parseImageRef(image).isId);
  if (typeof image === "string" && !opaque) {
    if (isRedisImage(image)) {
      const script = uploadedClientScript(p);
      if (script !== undefined) {
        return {
          redis: false,
          reason: `image "${image}" running the uploaded script ${script}, which starts no server`,
          imageOpaque: false,
        };
      }
      return { redis: true, reason: `image "${image}"`, imageOpaque: false };
    }
    if (commandRunsRedis(p.command)) {
      return { redis: true, reason: "its command runs redis-server", imageOpaque: false };
    }
    return { redis: false, reason: `image "${image}"`, imageOpaque: false };
  }
  if (commandRunsRedis(p.command)) {
    return { redis: true, reason: "its command runs redis-server", imageOpaque: true };
  }
  const hc = p.healthcheck;
  if (hc !== null && typeof hc === "object" && !isUnknown(hc)) {
    const probe = parseProbe((hc as Props).tests);
    if (probeInvocations(probe).some((i) => i.command === "ping")) {
      return { redis: true, reason: "its healthcheck pings redis-cli", imageOpaque: true };
    }
  }
  return { redis: false, reason: "its image is not readable", imageOpaque: opaque };
}

export function containerLabel(name: string, p: Props): string {
  const image = typeof p.image === "string" && !isUnknown(p.image) ? ` (${p.image})` : "";
  return `container "${name}"${image}`;
}
