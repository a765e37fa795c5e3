/**
 * policy/lib/edge.ts directly: which image is a proxy, where its config is (uploads, unknown at
 * preview, copied from a file, hidden by a mount), the config lines and host targets each proxy
 * syntax yields, and the DNS names a container answers to.
 */
import { describe, expect, it } from "vitest";
import {
  configLines,
  dnsNames,
  edgeProxyKind,
  hostOf,
  proxyConfig,
  routedHosts,
  words,
} from "../../../policy/lib/edge";
import { UNKNOWN } from "../../../policy/lib/unknown";

describe("edgeProxyKind", () => {
  it.each([
    ["haproxy:3.0.11", "haproxy"],
    ["docker.io/library/nginx:1.27", "nginx"],
    ["envoyproxy/envoy:v1.31", "envoy"],
    ["CADDY:2", "caddy"],
    ["ghcr.io/acme/api:1.4.2", undefined],
    ["sha256:" + "a".repeat(64), undefined],
    [UNKNOWN, undefined],
    [7, undefined],
  ])("%j is %j", (image, kind) => {
    expect(edgeProxyKind(image)).toBe(kind);
  });
});

describe("proxyConfig", () => {
  const cfg = "global\n  maxconn 100\n";
  it("joins every config upload's text, content or base64", () => {
    const r = proxyConfig("haproxy", {
      uploads: [
        { file: "/usr/local/etc/haproxy/haproxy.cfg", content: cfg },
        {
          file: "/usr/local/etc/haproxy/extra.cfg",
          contentBase64: Buffer.from("defaults\n").toString("base64"),
        },
        { file: "/etc/ssl/cert.pem", content: "x" },
        null,
      ],
    });
    expect(r).toEqual({
      state: "known",
      text: `${cfg}\ndefaults\n`,
      files: ["/usr/local/etc/haproxy/haproxy.cfg", "/usr/local/etc/haproxy/extra.cfg"],
    });
  });

  it("is unknown when uploads, a file name or a content is unknown", () => {
    expect(proxyConfig("nginx", { uploads: UNKNOWN })).toEqual({
      state: "unknown",
      what: "`uploads`",
    });
    expect(proxyConfig("nginx", { uploads: [{ file: UNKNOWN, content: "x" }] })).toEqual({
      state: "unknown",
      what: "the `file` of an `uploads` entry",
    });
    expect(
      proxyConfig("nginx", {
        uploads: [{ file: "/etc/nginx/nginx.conf", contentBase64: UNKNOWN }],
      }),
    ).toEqual({
      state: "unknown",
      what: "the content of the upload /etc/nginx/nginx.conf",
    });
    const up = [{ file: "/etc/nginx/nginx.conf", content: "events {}" }];
    expect(proxyConfig("nginx", { uploads: up, volumes: UNKNOWN })).toEqual({
      state: "unknown",
      what: "`volumes` (which may hide the uploaded config)",
    });
    expect(proxyConfig("nginx", { uploads: up, mounts: [UNKNOWN] }).state).toBe("unknown");
    // Nothing uploaded: unknown mounts hide nothing of ours.
    expect(proxyConfig("nginx", { uploads: [], mounts: UNKNOWN }).state).toBe("unreadable");
  });

  it("cannot read an upload copied from a file, or one a mount hides", () => {
    expect(
      proxyConfig("caddy", { uploads: [{ file: "/etc/caddy/Caddyfile", source: "./Caddyfile" }] }),
    ).toEqual({
      state: "unreadable",
      why: "the upload /etc/caddy/Caddyfile is copied from a file on the machine running Pulumi (`source`)",
    });
    const up = [{ file: "/etc/nginx/conf.d/app.conf", content: "server {}" }];
    for (const target of ["/etc/nginx", "/etc/nginx/", "/etc/nginx/conf.d/app.conf"]) {
      const r = proxyConfig("nginx", {
        uploads: up,
        mounts: [{ type: "bind", source: "/srv", target }],
      });
      expect(r).toEqual({
        state: "unreadable",
        why: `${target} is mounted from the host over the upload /etc/nginx/conf.d/app.conf, so the uploaded text is not what runs`,
      });
    }
    expect(
      proxyConfig("nginx", {
        uploads: up,
        volumes: [{ hostPath: "/srv", containerPath: "/etc/nginx2" }],
      }).state,
    ).toBe("known");
  });

  it("says where the config is when none is uploaded", () => {
    expect(proxyConfig("haproxy", {})).toEqual({
      state: "unreadable",
      why: "no `uploads` entry holds haproxy.cfg (a *.cfg file); it is baked into the image or mounted from the host",
    });
    expect(
      proxyConfig("haproxy", {
        volumes: [{ hostPath: "/srv/h", containerPath: "/usr/local/etc/haproxy" }],
      }),
    ).toEqual({
      state: "unreadable",
      why: "no `uploads` entry holds haproxy.cfg (a *.cfg file); it is bind-mounted from the host (/usr/local/etc/haproxy)",
    });
    expect(proxyConfig("traefik", {})).toEqual({
      state: "unreadable",
      why: "the pack does not parse traefik configuration",
    });
  });
});

describe("config text", () => {
  it("drops comments that start a word and blank lines, keeps a # inside a word", () => {
    expect(configLines("# head\n  a b # note\n\n\tc#d\r\n")).toEqual(["a b", "c#d"]);
    expect(words("  a \t b  ")).toEqual(["a", "b"]);
  });

  it.each([
    ["http://API:3003/x", "api"],
    ["api:3003", "api"],
    ["ipv4@api:3003", "api"],
    ["api", "api"],
    ["[::1]:80", undefined],
    ["/run/app.sock", undefined],
    ["unix@/run/app.sock", undefined],
    ["$UPSTREAM", undefined],
    ["", undefined],
    ["http://", undefined],
    [":80", undefined],
  ])("hostOf(%j) is %j", (t, h) => {
    expect(hostOf(t)).toBe(h);
  });
});

describe("routedHosts", () => {
  it("haproxy: server addresses and server-template FQDNs", () => {
    const text =
      "backend b\n  server s1 api:3003 check\n  server-template w 2 worker:80\n  server lone\n  server ip 10.0.0.1:80\n";
    expect(routedHosts("haproxy", text)).toEqual(["api", "worker"]);
  });

  it("nginx: upstream servers, and proxy_pass hosts that are not upstream names", () => {
    const text = [
      "upstream backend { server api:3003; server API:3004; }",
      "server { location / { proxy_pass http://backend; }",
      "  location /w { proxy_pass http://worker:80; } location /l { proxy_pass http://localhost:9; }",
      "  server_name example.com; }",
    ].join("\n");
    expect(routedHosts("nginx", text)).toEqual(["api", "worker"]);
  });

  it("caddy: reverse_proxy and to, skipping matchers", () => {
    const text =
      "example.com {\n  reverse_proxy @api /api/* api:3003 {\n    to worker:80\n  }\n  reverse_proxy * web:80\n}\n";
    expect(routedHosts("caddy", text)).toEqual(["api", "worker", "web"]);
  });

  it("traefik and envoy configs are not read", () => {
    expect(routedHosts("traefik", "server api:3003")).toEqual([]);
  });
});

describe("dnsNames", () => {
  it("is the name and every alias, lower-case", () => {
    expect(
      dnsNames({
        name: "Edge",
        networksAdvanced: [{ aliases: ["API", 7] }, null, { aliases: ["w"] }],
      }),
    ).toEqual({
      names: ["edge", "api", "w"],
      unknown: false,
    });
  });

  it("is unknown when the networks or an alias are unknown", () => {
    expect(dnsNames({ name: "e", networksAdvanced: UNKNOWN })).toEqual({
      names: ["e"],
      unknown: true,
    });
    expect(dnsNames({ name: UNKNOWN, networksAdvanced: [{ aliases: ["a", UNKNOWN] }] })).toEqual({
      names: [],
      unknown: true,
    });
    expect(dnsNames({ networksAdvanced: [{ aliases: UNKNOWN }, { aliases: ["b"] }] })).toEqual({
      names: ["b"],
      unknown: true,
    });
  });
});
