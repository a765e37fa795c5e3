/**
 * Edge proxies (HAProxy, nginx, Caddy, Traefik, Envoy in a `docker.Container`): which container
 * is one, which config it uploads, and which hosts it routes to. A proxy that serves a config
 * another container installed on a shared volume is resolved in ./edge-source.ts; the TLS floor
 * is judged in ./edge-tls.ts. Pure: plain props in, plain data out.
 */
import { isOneShot } from "./docker";
import { parseImageRef } from "./image";
import { containsUnknown, isUnknown } from "./unknown";

export type ProxyKind = "haproxy" | "nginx" | "caddy" | "traefik" | "envoy";

const KINDS: readonly ProxyKind[] = ["haproxy", "nginx", "caddy", "traefik", "envoy"];

type Props = Record<string, unknown>;

/** The proxy an image runs, by its repository's last path segment (`envoyproxy/envoy` is envoy). */
export function edgeProxyKind(image: unknown): ProxyKind | undefined {
  if (typeof image !== "string" || isUnknown(image)) return undefined;
  const ref = parseImageRef(image);
  if (ref.isId) return undefined;
  const last = (ref.path.split("/").pop() ?? "").toLowerCase();
  return KINDS.find((k) => k === last);
}

/**
 * ACME clients that answer HTTP-01 challenges behind a proxy: go-acme/lego (goacme/lego),
 * certbot (certbot/certbot and its certbot/dns-* images) and acme.sh (neilpang/acme.sh). A proxy
 * routes `/.well-known/acme-challenge/` to one of them only while a challenge is pending, so it
 * is not a web service that needs replicas (api-stack components/edge-acme.ts runs lego).
 */
const ACME_CLIENTS = ["goacme/lego", "certbot/certbot", "neilpang/acme.sh"];

/** Whether `image` is one of the ACME clients above (any tag or digest). */
export function isAcmeClient(image: unknown): boolean {
  if (typeof image !== "string" || isUnknown(image)) return false;
  const ref = parseImageRef(image);
  if (ref.isId) return false;
  const path = ref.path.toLowerCase();
  return ACME_CLIENTS.includes(path) || path.startsWith("certbot/dns-");
}

/**
 * The proxy a container runs, if it can serve: a one-shot run of the image (`nginx -t` with
 * `rm: true`) serves nothing, and neither does one with `networkMode: "none"`, which Docker gives
 * only a loopback interface (docs.docker.com, "None network driver"), such as a container that
 * only installs config files on a volume. An unknown `networkMode` may serve: it is judged.
 */
export function servingProxyKind(p: Props): ProxyKind | undefined {
  if (isOneShot(p) || p.networkMode === "none") return undefined;
  return edgeProxyKind(p.image);
}

/** The config files each parsed proxy reads, by name. Traefik and Envoy are not parsed. */
const CONFIG_FILE: Partial<Record<ProxyKind, { test: RegExp; what: string }>> = {
  haproxy: { test: /\.cfg$/, what: "haproxy.cfg (a *.cfg file)" },
  nginx: { test: /\.conf$/, what: "nginx.conf (a *.conf file)" },
  caddy: { test: /(^|\/)Caddyfile$|\.caddyfile$/i, what: "a Caddyfile" },
};

export type ProxyConfig =
  /** Every uploaded config file, joined. */
  | { readonly state: "known"; readonly text: string; readonly files: readonly string[] }
  /** An uploaded config (or `uploads` itself) is unknown at preview. */
  | { readonly state: "unknown"; readonly what: string }
  /** The pack cannot read it: not uploaded, uploaded from a host file, or not a parsed proxy. */
  | { readonly state: "unreadable"; readonly why: string };

/** What a container uploads of a proxy's config: as {@link ProxyConfig}, or "none" at all. */
export type UploadedConfig = ProxyConfig | { readonly state: "none" };

/** Does this file name hold config of that proxy (haproxy: *.cfg, nginx: *.conf…)? */
export function isConfigFile(kind: ProxyKind, file: string): boolean {
  return CONFIG_FILE[kind]?.test.test(file) ?? false;
}

/** What the config file of that proxy is called, for messages. */
export function configFileWhat(kind: ProxyKind): string {
  return CONFIG_FILE[kind]?.what ?? `${kind} configuration`;
}

function decodeBase64(v: string): string {
  return Buffer.from(v, "base64").toString("utf8");
}

/**
 * Whether a mount could sit over an upload without the pack seeing where: the list, an entry or
 * its target unknown. A volume whose name alone is unknown (a docker.Volume's generated name at
 * preview) mounts at a known place.
 */
function mountTargetsUnknown(p: Props, field: "mounts" | "volumes"): boolean {
  const list = p[field];
  if (isUnknown(list)) return true;
  if (!Array.isArray(list)) return false;
  const key = field === "mounts" ? "target" : "containerPath";
  return list.some((m) => isUnknown(m) || containsUnknown((m as Props | null)?.[key]));
}

/** Where a mount or volume puts host files in the container, for the "bind-mounted" message. */
function mountedTargets(p: Props): string[] {
  const out: string[] = [];
  for (const [field, key] of [
    ["mounts", "target"],
    ["volumes", "containerPath"],
  ] as const) {
    const list = p[field];
    if (!Array.isArray(list)) continue;
    for (const m of list) {
      const t = (m as Props | null)?.[key];
      if (typeof t === "string" && !isUnknown(t)) out.push(t);
    }
  }
  return out;
}

/**
 * The config of `kind` that a container uploads, as the pack can read it: the `content` (or
 * `contentBase64`) of every `uploads` entry whose file is a config file of that proxy, or
 * "none" when no entry is one. The Docker provider copies `uploads` into the container before
 * it starts (kreuzwerker/terraform-provider-docker resource_docker_container_funcs.go,
 * resourceDockerContainerCreate); `source` names a file on the machine running Pulumi, which a
 * policy cannot read.
 */
export function uploadedConfig(kind: ProxyKind, p: Props): UploadedConfig {
  const spec = CONFIG_FILE[kind];
  if (spec === undefined) {
    return { state: "unreadable", why: `the pack does not parse ${kind} configuration` };
  }
  if (isUnknown(p.uploads)) return { state: "unknown", what: "`uploads`" };
  const uploads = Array.isArray(p.uploads) ? (p.uploads as (Props | null)[]) : [];
  const texts: string[] = [];
  const files: string[] = [];
  for (const u of uploads) {
    const file = u?.file;
    if (isUnknown(file)) return { state: "unknown", what: "the `file` of an `uploads` entry" };
    if (typeof file !== "string" || !spec.test.test(file)) continue;
    const content = u?.content;
    const b64 = u?.contentBase64;
    if (isUnknown(content) || isUnknown(b64)) {
      return { state: "unknown", what: `the content of the upload ${file}` };
    }
    if (typeof content === "string") texts.push(content);
    else if (typeof b64 === "string") texts.push(decodeBase64(b64));
    else {
      return {
        state: "unreadable",
        why: `the upload ${file} is copied from a file on the machine running Pulumi (\`source\`)`,
      };
    }
    files.push(file);
  }
  if (files.length === 0) return { state: "none" };
  for (const field of ["mounts", "volumes"] as const) {
    if (mountTargetsUnknown(p, field)) {
      return { state: "unknown", what: `\`${field}\` (which may hide the uploaded config)` };
    }
  }
  const mounted = mountedTargets(p);
  // A mount is set up over the container's filesystem, so it hides an upload at or below it.
  for (const file of files) {
    const over = mounted.find((t) => file === t || file.startsWith(`${t.replace(/\/+$/, "")}/`));
    if (over !== undefined) {
      return {
        state: "unreadable",
        why: `${over} is mounted from the host over the upload ${file}, so the uploaded text is not what runs`,
      };
    }
  }
  return { state: "known", text: texts.join("\n"), files };
}

/** Why a proxy's own uploads hold no config, for the "unreadable" message. */
export function noUploadedConfigWhy(kind: ProxyKind, p: Props): string {
  const mounted = mountedTargets(p);
  return (
    `no \`uploads\` entry holds ${configFileWhat(kind)}` +
    (mounted.length > 0
      ? `; it is bind-mounted from the host (${mounted.join(", ")})`
      : "; it is baked into the image or mounted from the host")
  );
}

/** The proxy's config from its own uploads alone (./edge-source.ts also looks at its volumes). */
export function proxyConfig(kind: ProxyKind, p: Props): ProxyConfig {
  const own = uploadedConfig(kind, p);
  return own.state === "none" ? { state: "unreadable", why: noUploadedConfigWhy(kind, p) } : own;
}

/** Lines without `#` comments (a `#` that starts a word), trimmed, blank lines dropped. */
export function configLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, "").trim())
    .filter((l) => l !== "");
}

export const words = (line: string): string[] => line.split(/\s+/).filter((w) => w !== "");

/** `host` of `scheme://host:port/path`, `host:port`, `[v6]:port` or `ipv4@host:port`, lower-case. */
export function hostOf(target: string): string | undefined {
  let t = target.replace(/^[a-z0-9+.-]*:\/\//i, "").replace(/^ipv[46]@/i, "");
  if (t === "" || t.startsWith("/") || t.startsWith("$") || /^(unix|abns|fd)[@:]/i.test(t)) {
    return undefined;
  }
  t = t.split("/")[0] as string;
  if (t.startsWith("[")) return undefined; // an IPv6 literal is no alias
  const host = (t.split(":")[0] as string).toLowerCase();
  return host === "" ? undefined : host;
}

/**
 * HAProxy: `server <name> <address>[:port]` and `server-template <prefix> <num> <fqdn>[:port]`
 * (configuration.txt 5.2 "server", 4.2 "server-template").
 */
function haproxyHosts(text: string): string[] {
  const out: string[] = [];
  for (const w of configLines(text).map(words)) {
    if (w[0] === "server" && w[2] !== undefined) out.push(w[2]);
    if (w[0] === "server-template" && w[3] !== undefined) out.push(w[3]);
  }
  return out;
}

/** nginx statements, each with the names of the blocks it is in (`upstream api`, `server`…). */
function nginxStatements(text: string): { words: string[]; blocks: string[][] }[] {
  const src = configLines(text).join("\n");
  const out: { words: string[]; blocks: string[][] }[] = [];
  const stack: string[][] = [];
  let current = "";
  for (const ch of src) {
    if (ch === ";" || ch === "{" || ch === "}") {
      const w = words(current);
      current = "";
      if (ch === "{") stack.push(w);
      else if (ch === "}") stack.pop();
      else if (w.length > 0) out.push({ words: w, blocks: [...stack] });
    } else current += ch;
  }
  return out;
}

/**
 * nginx: `server host:port` in `upstream` blocks, and `proxy_pass http://host:port`, where a
 * host that names an upstream block stands for that block's servers (nginx docs,
 * ngx_http_upstream_module "server", ngx_http_proxy_module "proxy_pass").
 */
function nginxHosts(text: string): string[] {
  const statements = nginxStatements(text);
  const upstreams = new Map<string, string[]>();
  for (const s of statements) {
    const block = s.blocks[s.blocks.length - 1];
    if (block?.[0] === "upstream" && block[1] && s.words[0] === "server" && s.words[1]) {
      const name = block[1].toLowerCase();
      upstreams.set(name, [...(upstreams.get(name) ?? []), s.words[1]]);
    }
  }
  const out: string[] = [];
  for (const list of upstreams.values()) out.push(...list);
  for (const s of statements) {
    if (s.words[0] !== "proxy_pass" || s.words[1] === undefined) continue;
    const host = hostOf(s.words[1]);
    if (host !== undefined && !upstreams.has(host)) out.push(s.words[1]);
  }
  return out;
}

/** Caddy: `reverse_proxy [matcher] <upstreams…>` and `to <upstreams…>` in its block. */
function caddyHosts(text: string): string[] {
  const out: string[] = [];
  for (const w of configLines(text).map(words)) {
    if (w[0] !== "reverse_proxy" && w[0] !== "to") continue;
    for (const arg of w.slice(1)) {
      if (arg === "{" || arg.startsWith("@") || arg.startsWith("*")) continue;
      if (arg.startsWith("/") && w[0] === "reverse_proxy") continue; // a path matcher
      out.push(arg);
    }
  }
  return out;
}

/** The DNS names (Docker aliases or container names) a proxy's config sends requests to. */
export function routedHosts(kind: ProxyKind, text: string): string[] {
  const targets =
    kind === "haproxy"
      ? haproxyHosts(text)
      : kind === "nginx"
        ? nginxHosts(text)
        : kind === "caddy"
          ? caddyHosts(text)
          : [];
  const hosts = targets.map(hostOf).filter((h): h is string => h !== undefined);
  return [...new Set(hosts.filter((h) => !/^[0-9.]+$/.test(h) && h !== "localhost"))];
}

/**
 * The names Docker's embedded DNS answers with this container on a user-defined network: its
 * `name` and every alias in `networksAdvanced` (docs.docker.com, "Container networking", DNS
 * services). `unknown` when the aliases cannot be read at preview.
 */
export function dnsNames(p: Props): { names: string[]; unknown: boolean } {
  const names: string[] = [];
  if (typeof p.name === "string" && !isUnknown(p.name)) names.push(p.name.toLowerCase());
  const nets = p.networksAdvanced;
  if (isUnknown(nets)) return { names, unknown: true };
  let unknown = false;
  for (const n of Array.isArray(nets) ? (nets as (Props | null)[]) : []) {
    const aliases = n?.aliases;
    if (isUnknown(aliases) || (Array.isArray(aliases) && aliases.some(isUnknown))) {
      unknown = true;
    } else if (Array.isArray(aliases)) {
      names.push(
        ...aliases.filter((a): a is string => typeof a === "string").map((a) => a.toLowerCase()),
      );
    }
  }
  return { names, unknown };
}
