import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../gate";
import { edgeProxyKind, hostOf, proxyConfig, routedHosts } from "../../../policy/lib/edge";
import { imageVersion, tlsFloorProblems } from "../../../policy/lib/edge-tls";
import { CADDYFILE, HAPROXY_CFG, NGINX_CONF, proxyProps, SELF_CFG } from "../corpus/edge-base";

type Props = Record<string, unknown>;

const proxy = (change: (p: Props) => void, kind?: Parameters<typeof proxyProps>[0]): Props => {
  const p = proxyProps(kind);
  change(p);
  return p;
};

describe("policy/lib/edge", () => {
  it.each([
    ["haproxy:3.0.11", "haproxy"],
    ["docker.io/library/nginx:1.27.3-alpine", "nginx"],
    ["ghcr.io/acme/caddy:2.8.4", "caddy"],
    ["traefik:v3.1.6", "traefik"],
    ["envoyproxy/envoy:v1.31.0", "envoy"],
    ["redis:7.4-alpine", undefined],
    ["ghcr.io/acme/api:1.4.2", undefined],
    ["sha256:" + "a".repeat(64), undefined],
    [UNKNOWN, undefined],
  ])("edgeProxyKind(%s) is %s", (image, kind) => expect(edgeProxyKind(image)).toBe(kind));

  it.each([
    ["api:3003", "api"],
    ["http://API:3003/v1", "api"],
    ["ipv4@backend:80", "backend"],
    ["unix:/run/app.sock", undefined],
    ["/run/app.sock", undefined],
    ["[::1]:80", undefined],
    ["$upstream", undefined],
  ])("hostOf(%s) is %s", (target, host) => expect(hostOf(target)).toBe(host));

  it("reads the hosts each proxy routes to", () => {
    expect(routedHosts("haproxy", HAPROXY_CFG)).toEqual(["api"]);
    expect(
      routedHosts("haproxy", "backend b\n  server s1 ipv4@web:80 check # old: server x db:1\n"),
    ).toEqual(["web"]);
    const nginx =
      "http { upstream pool { server a1:80; server a2:80 backup; }\n" +
      "server { location / { proxy_pass http://pool; } location /b { proxy_pass http://blog:8000/x; } } }";
    expect(routedHosts("nginx", nginx).sort()).toEqual(["a1", "a2", "blog"]);
    expect(routedHosts("caddy", CADDYFILE)).toEqual(["api"]);
    expect(
      routedHosts(
        "caddy",
        "x.dev {\n reverse_proxy @api /api/* {\n  to http://app:3000 h2c://grpc:9000\n }\n}",
      ),
    ).toEqual(["app", "grpc"]);
    expect(routedHosts("haproxy", "backend b\n  server s1 10.0.0.5:80\n")).toEqual([]);
  });

  it("finds the config in uploads, or says why it cannot", () => {
    const known = proxyConfig("haproxy", proxyProps());
    expect(known).toMatchObject({ state: "known", files: [SELF_CFG] });
    const b64 = proxy((p) => {
      const [first, ...rest] = p.uploads as Props[];
      p.uploads = [
        { file: first?.file, contentBase64: Buffer.from(HAPROXY_CFG).toString("base64") },
        ...rest,
      ];
    });
    expect(proxyConfig("haproxy", b64)).toEqual(known);
    expect(
      proxyConfig(
        "haproxy",
        proxy((p) => (p.uploads = UNKNOWN)),
      ),
    ).toMatchObject({
      state: "unknown",
    });
    expect(proxyConfig("traefik", proxyProps("traefik"))).toMatchObject({ state: "unreadable" });
  });

  it("reads the HAProxy version from the tag", () => {
    expect(imageVersion("haproxy:3.0.11")).toEqual([3, 0]);
    expect(imageVersion("haproxy:2.6-alpine")).toEqual([2, 6]);
    expect(imageVersion("haproxy:lts")).toBeUndefined();
    expect(imageVersion("haproxy@sha256:" + "a".repeat(64))).toBeUndefined();
  });
});

describe("policy/lib/edge-tls", () => {
  it("finds nothing wrong with the configs the program and the corpus use", () => {
    expect(tlsFloorProblems("haproxy", HAPROXY_CFG, "haproxy:3.0.11")).toEqual([]);
    expect(tlsFloorProblems("nginx", NGINX_CONF, "nginx:1.27.3-alpine")).toEqual([]);
    expect(tlsFloorProblems("caddy", CADDYFILE, "caddy:2.8.4-alpine")).toEqual([]);
  });
  it("names the bind line whose own setting is too low, and global when that is", () => {
    const bindLow = HAPROXY_CFG.replace("alpn h2", "ssl-min-ver TLSv1.1 alpn h2");
    expect(tlsFloorProblems("haproxy", bindLow, "haproxy:3.0.11").join("\n")).toMatch(
      /`ssl-min-ver TLSv1\.1` on `bind :8443`/,
    );
    const globalLow = HAPROXY_CFG.replace("ssl-min-ver TLSv1.2", "ssl-min-ver SSLv3");
    expect(tlsFloorProblems("haproxy", globalLow, "haproxy:3.0.11").join("\n")).toMatch(
      /`ssl-min-ver SSLv3` in `global`/,
    );
  });
  it("ignores Caddy's HTTP `protocols` (h1 h2) and a commented-out weak setting", () => {
    const caddy = `{\n  servers {\n    protocols h1 h2\n  }\n}\n${CADDYFILE.split("\n").slice(4).join("\n")}`;
    expect(tlsFloorProblems("caddy", caddy, "caddy:2.8.4")).toEqual([]);
    const commented = HAPROXY_CFG.replace("no-tls-tickets", "no-tls-tickets # force-tlsv10");
    expect(tlsFloorProblems("haproxy", commented, "haproxy:3.0.11")).toEqual([]);
  });
});
