/**
 * Passwords and secrets: Redis must require auth, no secret may be a default or too short,
 * and no password may sit in a container's command line.
 */
import { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, onlyFor } from "../lib/config";
import { containerLabel, Props, redisIdentity } from "../lib/docker";
import { userPasswordLists } from "../lib/elasticache";
import { parseEnvs } from "../lib/env";
import { parseProbe } from "../lib/healthcheck";
import { analyzeRedisAuth } from "../lib/redis-auth";
import { checkRedisAuth } from "../lib/redis-checks";
import {
  DEFAULT_SECRET_THRESHOLDS,
  isShellReference,
  redactUrl,
  redisUrls,
  SecretThresholds,
  secretInValue,
  secretKindOfName,
  weakSecretReason,
} from "../lib/secrets";
import { cliInvocationsInArgv, cliInvocationsInScript, shellScript, tokenize } from "../lib/shell";
import { CACHE_CLUSTER, CACHE_USER, CONTAINER, REPLICATION_GROUP } from "../lib/types";
import { containsUnknown, isUnknown, raw } from "../lib/unknown";

export const redisRequiresAuth: ResourceValidationPolicy = {
  name: "redis-requires-auth",
  description: "Redis/Valkey containers must require a password (requirepass or ACL users).",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    if (!redisIdentity(p).redis) {
      return;
    }
    checkRedisAuth(containerLabel(args.name, p), p).forEach((m) => report(m));
  }),
};

interface WeakSecretsConfig extends SecretThresholds {
  readonly extraDenylist: string[];
}

const weakDefaults: WeakSecretsConfig = { ...DEFAULT_SECRET_THRESHOLDS, extraDenylist: [] };

const FIX_SECRET =
  "generate it with random.RandomPassword (length >= 32) or random.RandomId (byteLength >= 32) and " +
  "pass it as a secret Output; never use defaults from docs or compose files";

function checkContainerSecrets(
  args: ResourceValidationArgs,
  t: WeakSecretsConfig,
  report: ReportViolation,
): void {
  const p = raw(args.props);
  const label = containerLabel(args.name, p);
  // Unknown envs entries are deferred to unknown-value-provenance (lib/provenance.ts).
  const envs = parseEnvs(p.envs);
  for (const v of envs.vars) {
    const kind = secretKindOfName(v.name);
    if (kind !== undefined) {
      const why = weakSecretReason(v.value, kind, t);
      if (why) {
        report(`Env var ${v.name} of ${label} ${why}. Fix: ${FIX_SECRET}.`);
      }
    }
    for (const u of redisUrls(v.value)) {
      if (u.password === "") {
        continue;
      }
      const why = weakSecretReason(u.password, "password", t);
      if (why) {
        report(`The password in ${v.name}=${u.url} of ${label} ${why}. Fix: ${FIX_SECRET}.`);
      }
    }
  }
  if (redisIdentity(p).redis) {
    for (const pw of analyzeRedisAuth(p).passwords) {
      const why = weakSecretReason(pw.value, "password", t);
      if (why) {
        report(`The Redis password in ${pw.where} of ${label} ${why}. Fix: ${FIX_SECRET}.`);
      }
    }
  }
}

function checkValue(
  value: unknown,
  what: string,
  t: WeakSecretsConfig,
  report: ReportViolation,
): void {
  // Unknown values are deferred to unknown-value-provenance (lib/provenance.ts).
  if (typeof value === "string" && !isUnknown(value)) {
    const why = weakSecretReason(value, "password", t);
    if (why) {
      report(`${what} ${why}. Fix: ${FIX_SECRET}.`);
    }
  }
}

export const noWeakSecrets: ResourceValidationPolicy = {
  name: "no-weak-secrets",
  description: "Passwords, tokens and keys must not be defaults, placeholders or too short.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minPasswordLength: { type: "integer", minimum: 8, default: 16 },
      minSecretKeyLength: { type: "integer", minimum: 16, default: 32 },
      extraDenylist: { type: "array", items: { type: "string" }, default: [] },
    },
  },
  validateResource: (args, report) => {
    const t = configOf(args, weakDefaults);
    const p = raw(args.props);
    switch (args.type) {
      case CONTAINER:
        checkContainerSecrets(args, t, report);
        break;
      case REPLICATION_GROUP:
      case CACHE_CLUSTER:
        checkValue(p.authToken, `\`authToken\` of ElastiCache "${args.name}"`, t, report);
        checkValue(p.authTokenWo, `\`authTokenWo\` of ElastiCache "${args.name}"`, t, report);
        break;
      case CACHE_USER: {
        for (const list of userPasswordLists(p)) {
          if (Array.isArray(list)) {
            list.forEach((pw, i) =>
              checkValue(pw, `Password #${i + 1} of ElastiCache user "${args.name}"`, t, report),
            );
          }
        }
        break;
      }
    }
  },
};

/** Words of each command-like field: `command`, `entrypoints` and the healthcheck probe. */
function commandWords(p: Props): { where: string; words: string[]; script: string }[] {
  const out: { where: string; words: string[]; script: string }[] = [];
  const add = (where: string, argv: string[]): void => {
    const script = shellScript(argv);
    if (script !== undefined) {
      out.push({
        where,
        script,
        words: tokenize(script)
          .filter((t) => !t.op)
          .map((t) => t.text),
      });
    } else {
      out.push({ where, script: argv.join(" "), words: argv });
    }
  };
  for (const field of ["command", "entrypoints"]) {
    const v = p[field];
    // Unknown command/entrypoints are deferred to unknown-value-provenance.
    if (Array.isArray(v) && !containsUnknown(v)) {
      add(
        field,
        v.filter((x): x is string => typeof x === "string"),
      );
    }
  }
  const hc = p.healthcheck as Props | undefined;
  // An unknown probe is reported by container-healthcheck-required.
  const probe = hc && !isUnknown(hc) ? parseProbe(hc.tests) : undefined;
  if (probe?.form === "exec") {
    add("healthcheck", [...probe.argv]);
  } else if (probe?.form === "shell") {
    out.push({
      where: "healthcheck",
      script: probe.script,
      words: tokenize(probe.script)
        .filter((t) => !t.op)
        .map((t) => t.text),
    });
  }
  return out;
}

const SECRET_FLAGS = new Set([
  "--requirepass",
  "--masterauth",
  "--password",
  "--passwd",
  "--pass",
  "--auth",
]);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/** Literal secrets in a command line, as "what was found" strings (never the value). */
export function secretsInCommand(words: readonly string[], script: string): string[] {
  const found: string[] = [];
  const literal = (v: string | undefined): boolean =>
    v !== undefined && v !== "" && !isShellReference(v);
  words.forEach((w, i) => {
    const [flag, inline] =
      w.startsWith("--") && w.includes("=") ? w.split(/=(.*)/s) : [w, undefined];
    if (flag !== undefined && SECRET_FLAGS.has(flag.toLowerCase())) {
      if (literal(inline ?? words[i + 1])) {
        found.push(`${flag} <literal>`);
      }
    }
    const a = ASSIGNMENT.exec(w);
    if (a && /AUTH|PASSWORD|SECRET|TOKEN/i.test(a[1] as string) && literal(a[2])) {
      found.push(`${a[1]}=<literal>`);
    }
    if (w === "--user") {
      for (let j = i + 1; j < words.length && !(words[j] as string).startsWith("--"); j++) {
        const rules = (words[j] as string).split(/\s+/);
        if (rules.some((r) => r.length > 1 && r.startsWith(">") && !isShellReference(r.slice(1)))) {
          found.push("--user … >password");
        }
      }
    }
  });
  for (const inv of [...cliInvocationsInScript(script), ...cliInvocationsInArgv(words)]) {
    const a = inv.options.get("-a");
    if (typeof a === "string" && literal(a)) {
      found.push(`${inv.cli} -a <literal>`);
    }
  }
  const redis = redisUrls(script).filter((u) => u.password !== "" && !isShellReference(u.password));
  for (const u of redis) {
    found.push(`URL ${redactUrl(u.url)}`);
  }
  // Bearer tokens, URL userinfo, issuers' key prefixes (policy/lib/secrets.ts secretInValue),
  // e.g. curl -H "Authorization: Bearer …" in a healthcheck, which docker inspect shows.
  for (const w of words) {
    const what = secretInValue(w);
    if (what !== undefined && !(redis.length > 0 && what.includes("URL"))) {
      found.push(what);
    }
  }
  return [...new Set(found)];
}

export const noSecretsInCommand: ResourceValidationPolicy = {
  name: "no-secrets-in-command",
  description: "Container commands, entrypoints and healthchecks must not carry literal passwords.",
  enforcementLevel: "mandatory",
  validateResource: onlyFor(CONTAINER, (args, report) => {
    const p = raw(args.props);
    for (const c of commandWords(p)) {
      const found = secretsInCommand(c.words, c.script);
      if (found.length > 0) {
        report(
          `The ${c.where} of ${containerLabel(args.name, p)} contains a literal password ` +
            `(${found.join(", ")}); anyone who can run \`docker inspect\` or \`ps\` reads it. ` +
            `Fix: put it in a config file via \`uploads\` (e.g. "user default on >PW" in ` +
            `redis.conf) or read it at run time ("$REDIS_PASSWORD", REDISCLI_AUTH="$(cat /path)").`,
        );
      }
    }
  }),
};
