/**
 * The edge proxy's TLS floor: it terminates TLS and accepts nothing below TLS 1.2. Each finding
 * says what is wrong and how to fix it; callers prefix the container. Pure.
 */
import { configLines, ProxyKind, words } from "./edge";
import { parseImageRef } from "./image";

/** Protocol versions in order; HAProxy spells them SSLv3, TLSv1.0 … TLSv1.3. */
const HAPROXY_VERSIONS = ["SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
const FLOOR = HAPROXY_VERSIONS.indexOf("TLSv1.2");

/** The value after `key` in a list of words (`ssl-min-ver TLSv1.2`), or undefined. */
function after(ws: readonly string[], key: string): string | undefined {
  const i = ws.lastIndexOf(key);
  return i >= 0 ? ws[i + 1] : undefined;
}

/** `major.minor` of an image tag such as `3.0.11` or `2.6-alpine`, or undefined (`lts`, digest). */
export function imageVersion(image: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(parseImageRef(image).tag ?? "");
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * HAProxy. A listener terminates TLS when its `bind` line has `ssl` and a `crt` (or
 * `crt-list`); its versions come from its own `ssl-min-ver`/`ssl-max-ver`/`force-*` or the
 * global `ssl-default-bind-options` (haproxy/haproxy doc/configuration.txt 3.1
 * "ssl-default-bind-options", 5.1 "Bind options": "ssl-min-ver … The default value is
 * TLSv1.2", which holds since HAProxy 2.2; before it, the default minimum was TLSv1.0).
 */
function haproxyFloor(text: string, image: string): string[] {
  const lines = configLines(text).map(words);
  const global = lines
    .filter((w) => w[0] === "ssl-default-bind-options")
    .flatMap((w) => w.slice(1));
  const binds = lines.filter((w) => w[0] === "bind" && w.includes("ssl"));
  const tlsBinds = binds.filter((w) => w.includes("crt") || w.includes("crt-list"));
  const out: string[] = [];
  if (tlsBinds.length === 0) {
    out.push(
      "its haproxy.cfg has no `bind … ssl crt <pem>` line, so it does not terminate TLS. " +
        "Fix: add e.g. `bind :8443 ssl crt /usr/local/etc/haproxy/certs/edge.pem alpn h2,http/1.1`",
    );
  }
  const forced = [...global, ...binds.flat()].filter((w) =>
    ["force-sslv3", "force-tlsv10", "force-tlsv11"].includes(w),
  );
  for (const f of new Set(forced)) {
    out.push(
      `its haproxy.cfg sets \`${f}\`, which pins the listener to a protocol below TLS 1.2. ` +
        "Fix: remove it and set `ssl-default-bind-options ssl-min-ver TLSv1.2` in `global`",
    );
  }
  const version = imageVersion(image);
  const defaultIsFloor =
    version !== undefined && (version[0] > 2 || (version[0] === 2 && version[1] >= 2));
  for (const w of tlsBinds.length > 0 ? tlsBinds : [[]]) {
    // A bind line's own setting overrides the global default (configuration.txt 3.1).
    const setting = (key: string) => {
      const own = after(w, key);
      return own !== undefined
        ? { value: own, where: `on \`bind ${w[1] ?? ""}\`` }
        : { value: after(global, key), where: "in `global`" };
    };
    const { value: min, where } = setting("ssl-min-ver");
    const max = setting("ssl-max-ver");
    if (min !== undefined && !(HAPROXY_VERSIONS.indexOf(min) >= FLOOR)) {
      out.push(
        `its haproxy.cfg allows \`ssl-min-ver ${min}\` ${where}, below TLS 1.2. ` +
          "Fix: `ssl-default-bind-options ssl-min-ver TLSv1.2` in `global` (and no lower " +
          "`ssl-min-ver` on a bind line)",
      );
    } else if (min === undefined && !defaultIsFloor && tlsBinds.length > 0) {
      out.push(
        `its haproxy.cfg sets no \`ssl-min-ver\` (in \`global\` or on \`bind ${w[1] ?? ""}\`), and image "${image}" is not known to be ` +
          "HAProxy 2.2 or later, whose default minimum is TLS 1.2 (older ones accept TLS 1.0). " +
          "Fix: set `ssl-default-bind-options ssl-min-ver TLSv1.2` in `global`",
      );
    }
    if (max.value !== undefined && !(HAPROXY_VERSIONS.indexOf(max.value) >= FLOOR)) {
      out.push(
        `its haproxy.cfg sets \`ssl-max-ver ${max.value}\` ${max.where}, so no client can use TLS 1.2 or ` +
          "1.3. Fix: remove `ssl-max-ver` (or set it to TLSv1.3)",
      );
    }
  }
  return [...new Set(out)];
}

/**
 * nginx. TLS is terminated by a `listen … ssl` server, and `ssl_protocols` must be explicit:
 * nginx's default became "TLSv1.2 TLSv1.3" only in 1.23.4; before it, TLSv1 and TLSv1.1 were
 * on (nginx.org/en/docs/http/ngx_http_ssl_module.html, "ssl_protocols").
 */
function nginxFloor(text: string): string[] {
  const statements = configLines(text)
    .join("\n")
    .split(/[;{}]/)
    .map((s) => words(s));
  const out: string[] = [];
  if (!statements.some((w) => w[0] === "listen" && w.includes("ssl"))) {
    out.push(
      "its nginx config has no `listen … ssl` server, so it does not terminate TLS. " +
        "Fix: `listen 8443 ssl;` with `ssl_certificate` and `ssl_certificate_key`",
    );
  }
  const protocols = statements.filter((w) => w[0] === "ssl_protocols");
  if (protocols.length === 0) {
    out.push(
      "its nginx config sets no `ssl_protocols`, so the floor is whatever the nginx version " +
        "defaults to (TLSv1 and TLSv1.1 before 1.23.4). Fix: `ssl_protocols TLSv1.2 TLSv1.3;`",
    );
  }
  for (const w of protocols) {
    const weak = w.slice(1).filter((v) => v !== "TLSv1.2" && v !== "TLSv1.3");
    if (weak.length > 0) {
      out.push(
        `its nginx config enables ${weak.join(", ")} (\`ssl_protocols ${w.slice(1).join(" ")}\`), ` +
          "below TLS 1.2. Fix: `ssl_protocols TLSv1.2 TLSv1.3;`",
      );
    }
  }
  return out;
}

/**
 * Caddy serves HTTPS on every site address except `http://` or `:80` ones, unless
 * `auto_https off`; its `tls { protocols <min> [<max>] }` defaults to tls1.2–tls1.3
 * (caddyserver.com/docs/caddyfile/directives/tls, "protocols").
 */
function caddyFloor(text: string): string[] {
  const lines = configLines(text);
  const out: string[] = [];
  let depth = 0;
  const sites: string[] = [];
  for (const l of lines) {
    if (depth === 0 && l.endsWith("{") && l !== "{")
      sites.push(...words(l.slice(0, -1).replace(/,/g, " ")));
    depth += (l.match(/{/g) ?? []).length - (l.match(/}/g) ?? []).length;
  }
  const plain = (s: string) => s.startsWith("http://") || /:80$/.test(s);
  const autoOff = lines.some((l) => /^auto_https\s+off\b/.test(l));
  const hasTls = lines.some((l) => /^tls\s+\S/.test(l));
  if (sites.length === 0 || sites.every(plain) || (autoOff && !hasTls)) {
    out.push(
      "its Caddyfile serves no HTTPS site (only http:// or :80 addresses, or auto_https off " +
        "without `tls`), so it does not terminate TLS. Fix: serve an https:// site address",
    );
  }
  for (const w of lines.map(words).filter((x) => x[0] === "protocols")) {
    const weak = w.slice(1).filter((v) => /^tls1\.[01]$/i.test(v) || /^ssl/i.test(v));
    if (weak.length > 0) {
      out.push(
        `its Caddyfile sets \`protocols ${w.slice(1).join(" ")}\`, below TLS 1.2. ` +
          "Fix: remove it (Caddy's minimum is tls1.2) or write `protocols tls1.2`",
      );
    }
  }
  return out;
}

/** What keeps a proxy's config from the TLS 1.2 floor; [] when it holds. */
export function tlsFloorProblems(kind: ProxyKind, text: string, image: string): string[] {
  if (kind === "haproxy") return haproxyFloor(text, image);
  if (kind === "nginx") return nginxFloor(text);
  if (kind === "caddy") return caddyFloor(text);
  return [];
}
