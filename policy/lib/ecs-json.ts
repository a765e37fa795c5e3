/**
 * `containerDefinitions` keys as the provider reads them (review 22b, F1).
 *
 * terraform-provider-aws decodes the string with Go's encoding/json into AWS SDK structs:
 * internal/service/ecs/container_definitions.go `expandContainerDefinitions` →
 * internal/json/decode.go `DecodeFromString` (json.NewDecoder(...).Decode) into
 * `[]awstypes.ContainerDefinition` (aws-sdk-go-v2 service/ecs/types/types.go; the structs have
 * no json tags, so each field's JSON name is the Go field name). The SDK then sends the struct
 * in the API's camelCase. encoding/json (package doc, "Unmarshal"): keys match field names
 * "preferring an exact match but also accepting a case-insensitive match"; the fold is
 * bytes.EqualFold's (ASCII case, plus U+017F ſ ~ s and U+212A Kelvin ~ k; encoding/json fold.go
 * `foldName`); keys with no field are ignored; a repeated key is decoded again into the same
 * field, so the last wins, and a struct pointer, a map or a slice's existing elements are
 * decoded *into* (merged), not replaced (decode.go `indirect`, `object`, `array`; checked with
 * Go 1.19: `{"healthCheck":{"command":["x"],"startPeriod":30},"HealthCheck":{"StartPeriod":0}}`
 * gives command ["x"], startPeriod 0). `null` sets a pointer, map or slice to nil.
 *
 * So the pack folds every key to its canonical name over the table below, and the rules read
 * canonical names only. A field written twice is refused instead of merged (RepeatedFieldError,
 * review 22c G1). Map values (`options`, `dockerLabels`) keep their keys as written: Go map keys
 * are matched exactly, the last one winning.
 */
import { isObj, Obj } from "./obj";

/** A field: a scalar or scalar list, a string map, a struct, or a list of structs. */
export type Kind = "scalar" | "map" | { readonly struct: Shape } | { readonly list: Shape };
export type Shape = Readonly<Record<string, Kind>>;

const S = "scalar";
const M = "map";
const struct = (shape: Shape): Kind => ({ struct: shape });
const list = (shape: Shape): Kind => ({ list: shape });

/*
 * The ContainerDefinition shape and its nested types, member names as in the ECS API reference
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html) and
 * the SDKs generated from the same model: taken from @aws-sdk/client-ecs 3.1178.0
 * dist-types/models/models_0.d.ts (ContainerDefinition, HealthCheck, LogConfiguration,
 * LinuxParameters, KernelCapabilities, KeyValuePair, Secret, PortMapping, RepositoryCredentials,
 * EnvironmentFile, ContainerDependency, MountPoint, VolumeFrom, HostEntry, Ulimit,
 * ResourceRequirement, FirelensConfiguration, SystemControl, Device, Tmpfs,
 * ContainerRestartPolicy); aws-sdk-go-v2 service/ecs/types/types.go has the same members in
 * PascalCase. A member an older Go SDK lacks is dropped by the provider; keeping it here only
 * lets a rule see a field ECS would not get, which no rule reads.
 */
const SECRET: Shape = { name: S, valueFrom: S };
const KEY_VALUE: Shape = { name: S, value: S };

export const CONTAINER_DEFINITION: Shape = {
  name: S,
  image: S,
  repositoryCredentials: struct({ credentialsParameter: S }),
  cpu: S,
  memory: S,
  memoryReservation: S,
  links: S,
  portMappings: list({
    containerPort: S,
    hostPort: S,
    protocol: S,
    name: S,
    appProtocol: S,
    containerPortRange: S,
  }),
  essential: S,
  restartPolicy: struct({ enabled: S, ignoredExitCodes: S, restartAttemptPeriod: S }),
  entryPoint: S,
  command: S,
  environment: list(KEY_VALUE),
  environmentFiles: list({ value: S, type: S }),
  mountPoints: list({ sourceVolume: S, containerPath: S, readOnly: S }),
  volumesFrom: list({ sourceContainer: S, readOnly: S }),
  linuxParameters: struct({
    capabilities: struct({ add: S, drop: S }),
    devices: list({ hostPath: S, containerPath: S, permissions: S }),
    initProcessEnabled: S,
    sharedMemorySize: S,
    tmpfs: list({ containerPath: S, size: S, mountOptions: S }),
    maxSwap: S,
    swappiness: S,
  }),
  secrets: list(SECRET),
  dependsOn: list({ containerName: S, condition: S }),
  startTimeout: S,
  stopTimeout: S,
  versionConsistency: S,
  hostname: S,
  user: S,
  workingDirectory: S,
  disableNetworking: S,
  privileged: S,
  readonlyRootFilesystem: S,
  dnsServers: S,
  dnsSearchDomains: S,
  extraHosts: list({ hostname: S, ipAddress: S }),
  dockerSecurityOptions: S,
  interactive: S,
  pseudoTerminal: S,
  dockerLabels: M,
  ulimits: list({ name: S, softLimit: S, hardLimit: S }),
  logConfiguration: struct({ logDriver: S, options: M, secretOptions: list(SECRET) }),
  healthCheck: struct({ command: S, interval: S, timeout: S, retries: S, startPeriod: S }),
  systemControls: list({ namespace: S, value: S }),
  resourceRequirements: list({ value: S, type: S, sharingStrategy: S }),
  firelensConfiguration: struct({ type: S, options: M }),
  credentialSpecs: S,
};

/**
 * A key as bytes.EqualFold compares it: ASCII letters in one case, ſ as s, the Kelvin sign as
 * k. No other character folds onto an ASCII letter (Unicode simple case folding; ı and İ do not).
 */
export const goFoldKey = (k: string): string =>
  k
    .replace(/\u017F/g, "s")
    .replace(/\u212A/g, "k")
    .replace(/[A-Z]/g, (c) => c.toLowerCase());

/** An object as written: its entries in document order, repeats kept. */
export class Entries {
  constructor(readonly entries: readonly (readonly [string, unknown])[]) {}
}

const entriesOf = (v: unknown) =>
  v instanceof Entries ? v.entries : isObj(v) ? Object.entries(v) : undefined;

/** Sets an own property, so a key such as `__proto__` stays data. */
function put(o: Obj, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** A value with no shape (a scalar, a list of scalars, a map value): plain JS, last key wins. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  const es = entriesOf(v);
  if (es === undefined) return v;
  const o: Obj = {};
  for (const [k, x] of es) put(o, k, plain(x));
  return o;
}

/** Decodes `v` as Go does for `kind`; `path` names the field in errors. */
function decode(kind: Kind, v: unknown, path: string): unknown {
  if (v === null) return null;
  if (kind === S) return plain(v);
  if (kind === M) {
    const es = entriesOf(v);
    if (es === undefined) return plain(v);
    const o: Obj = {};
    for (const [k, x] of es) put(o, k, plain(x));
    return o;
  }
  if ("struct" in kind) return decodeStruct(kind.struct, v, path);
  if (!Array.isArray(v)) return plain(v);
  return v.map((x, i) => decodeStruct(kind.list, x, `${path.slice(0, -1)}[${i}].`));
}

/**
 * A field of a definition written more than once (in any case). Go's decoder would merge the
 * copies: a struct into the earlier one, and a list into the earlier list's elements, reusing
 * old elements past the new length when a later copy is longer again (encoding/json decode.go
 * `array`: SetLen within the old capacity) and keeping an old element under a `null`. What ECS
 * receives then differs from every copy the pack can read (review 22c, G1), so such a definition
 * is refused rather than emulated.
 */
export class RepeatedFieldError extends Error {
  constructor(readonly field: string) {
    super(`the field \`${field}\` is written more than once (its keys differ at most in case)`);
  }
}

/**
 * An object folded onto `shape`'s canonical names. Each field may appear once: a second copy
 * throws RepeatedFieldError, so no copy is ever decoded into an earlier one.
 */
export function decodeStruct(shape: Shape, v: unknown, path = ""): unknown {
  const es = entriesOf(v);
  if (es === undefined) return plain(v);
  const o: Obj = {};
  const byFold = new Map(Object.keys(shape).map((k) => [goFoldKey(k), k]));
  const seen = new Set<string>();
  for (const [k, x] of es) {
    const field = byFold.get(goFoldKey(k));
    if (field === undefined) continue;
    if (seen.has(field)) throw new RepeatedFieldError(`${path}${field}`);
    seen.add(field);
    put(o, field, decode(shape[field]!, x, `${path}${field}.`));
  }
  return o;
}

/**
 * Parses JSON keeping each object's entries in document order, repeats included (JSON.parse
 * keeps a repeated key in its first slot with the last value). Call it on text JSON.parse has
 * accepted: it does not re-validate.
 */
export function parseEntries(text: string): unknown {
  let i = 0;
  const ws = () => {
    while (/\s/.test(text[i] ?? "")) i++;
  };
  // Sticky regexes read at i without copying the rest of the text.
  const STRING = /"(?:[^"\\]|\\.)*"/y;
  const LITERAL = /true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const token = (re: RegExp): unknown => {
    re.lastIndex = i;
    const m = re.exec(text)![0];
    i += m.length;
    return JSON.parse(m) as unknown;
  };
  const str = () => token(STRING) as string;
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const out: [string, unknown][] = [];
      ws();
      if (text[i] === "}") return (i++, new Entries(out));
      for (;;) {
        ws();
        const k = str();
        ws();
        i++; // ':'
        out.push([k, value()]);
        ws();
        if (text[i++] === "}") return new Entries(out);
      }
    }
    if (c === "[") {
      i++;
      const out: unknown[] = [];
      ws();
      if (text[i] === "]") return (i++, out);
      for (;;) {
        out.push(value());
        ws();
        if (text[i++] === "]") return out;
      }
    }
    if (c === '"') return str();
    return token(LITERAL);
  };
  return value();
}
