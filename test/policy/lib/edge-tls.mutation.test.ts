/**
 * policy/lib/edge-tls.ts directly: the TLS 1.2 floor of an HAProxy, nginx or Caddy config,
 * each bad config one directive away from a good one, with the exact finding.
 */
import { describe, expect, it } from "vitest";
import { imageVersion, tlsFloorProblems } from "../../../policy/lib/edge-tls";

const H = "haproxy:3.0.11";
const bind = "bind :8443 ssl crt /usr/local/etc/haproxy/certs/edge.pem alpn h2,http/1.1";
const haproxy = (global: string, b = bind, image = H) =>
  tlsFloorProblems("haproxy", `global\n  ${global}\nfrontend f\n  ${b}\n`, image);

describe("imageVersion", () => {
  it.each([
    ["haproxy:3.0.11", [3, 0]],
    ["haproxy:v2.6-alpine", [2, 6]],
    ["haproxy:lts", undefined],
    ["haproxy", undefined],
    ["haproxy@sha256:" + "a".repeat(64), undefined],
  ])("%s is %j", (image, v) => {
    expect(imageVersion(image)).toEqual(v);
  });
});

describe("HAProxy", () => {
  it("passes ssl-min-ver TLSv1.2 in global, and no setting on 2.2 or later", () => {
    expect(haproxy("ssl-default-bind-options ssl-min-ver TLSv1.2")).toEqual([]);
    expect(haproxy("maxconn 100")).toEqual([]);
    expect(haproxy("maxconn 100", bind, "haproxy:2.2")).toEqual([]);
    expect(haproxy("ssl-default-bind-options ssl-min-ver TLSv1.3")).toEqual([]);
  });

  it("refuses no setting on an image older than 2.2, or of unknown version", () => {
    for (const image of ["haproxy:2.1", "haproxy:1.9", "haproxy:lts"]) {
      expect(haproxy("maxconn 100", bind, image)).toEqual([
        `its haproxy.cfg sets no \`ssl-min-ver\` (in \`global\` or on \`bind :8443\`), and image "${image}" is not known to be HAProxy 2.2 or later, whose default minimum is TLS 1.2 (older ones accept TLS 1.0). Fix: set \`ssl-default-bind-options ssl-min-ver TLSv1.2\` in \`global\``,
      ]);
    }
  });

  it("refuses a minimum below 1.2, in global or on the bind line, which overrides global", () => {
    expect(haproxy("ssl-default-bind-options ssl-min-ver TLSv1.1")).toEqual([
      "its haproxy.cfg allows `ssl-min-ver TLSv1.1` in `global`, below TLS 1.2. Fix: `ssl-default-bind-options ssl-min-ver TLSv1.2` in `global` (and no lower `ssl-min-ver` on a bind line)",
    ]);
    expect(
      haproxy("ssl-default-bind-options ssl-min-ver TLSv1.2", `${bind} ssl-min-ver TLSv1.0`)[0],
    ).toContain("allows `ssl-min-ver TLSv1.0` on `bind :8443`");
    expect(
      haproxy("ssl-default-bind-options ssl-min-ver TLSv1.0", `${bind} ssl-min-ver TLSv1.2`),
    ).toEqual([]);
    expect(haproxy("ssl-default-bind-options ssl-min-ver bogus")).toHaveLength(1);
  });

  it("refuses a maximum below 1.2", () => {
    expect(haproxy("ssl-default-bind-options ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.1")).toEqual([
      "its haproxy.cfg sets `ssl-max-ver TLSv1.1` in `global`, so no client can use TLS 1.2 or 1.3. Fix: remove `ssl-max-ver` (or set it to TLSv1.3)",
    ]);
    expect(haproxy("ssl-default-bind-options ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3")).toEqual([]);
  });

  it("refuses each force-* below 1.2 once", () => {
    const found = haproxy(
      "ssl-default-bind-options ssl-min-ver TLSv1.2 force-tlsv11",
      `${bind} force-tlsv11 force-sslv3`,
    );
    expect(found).toEqual([
      "its haproxy.cfg sets `force-tlsv11`, which pins the listener to a protocol below TLS 1.2. Fix: remove it and set `ssl-default-bind-options ssl-min-ver TLSv1.2` in `global`",
      "its haproxy.cfg sets `force-sslv3`, which pins the listener to a protocol below TLS 1.2. Fix: remove it and set `ssl-default-bind-options ssl-min-ver TLSv1.2` in `global`",
    ]);
  });

  it("refuses a config that terminates no TLS: no ssl, or ssl without crt", () => {
    const none = [
      "its haproxy.cfg has no `bind … ssl crt <pem>` line, so it does not terminate TLS. Fix: add e.g. `bind :8443 ssl crt /usr/local/etc/haproxy/certs/edge.pem alpn h2,http/1.1`",
    ];
    expect(haproxy("ssl-default-bind-options ssl-min-ver TLSv1.2", "bind :8080")).toEqual(none);
    expect(haproxy("ssl-default-bind-options ssl-min-ver TLSv1.2", "bind :8443 ssl")).toEqual(none);
    expect(
      haproxy("ssl-default-bind-options ssl-min-ver TLSv1.2", "bind :8443 ssl crt-list /l"),
    ).toEqual([]);
  });
});

describe("nginx", () => {
  const nginx = (protocols: string, listen = "listen 8443 ssl;") =>
    tlsFloorProblems(
      "nginx",
      `http {\n server {\n  ${listen}\n  ${protocols}\n }\n}\n`,
      "nginx:1.27",
    );

  it("passes TLSv1.2 TLSv1.3 on a TLS listener", () => {
    expect(nginx("ssl_protocols TLSv1.2 TLSv1.3;")).toEqual([]);
    expect(nginx("ssl_protocols TLSv1.3;")).toEqual([]);
  });

  it("refuses weak protocols, naming them", () => {
    expect(nginx("ssl_protocols TLSv1 TLSv1.1 TLSv1.2;")).toEqual([
      "its nginx config enables TLSv1, TLSv1.1 (`ssl_protocols TLSv1 TLSv1.1 TLSv1.2`), below TLS 1.2. Fix: `ssl_protocols TLSv1.2 TLSv1.3;`",
    ]);
  });

  it("refuses no ssl_protocols, and no TLS listener", () => {
    expect(nginx("")).toEqual([
      "its nginx config sets no `ssl_protocols`, so the floor is whatever the nginx version defaults to (TLSv1 and TLSv1.1 before 1.23.4). Fix: `ssl_protocols TLSv1.2 TLSv1.3;`",
    ]);
    expect(nginx("ssl_protocols TLSv1.2;", "listen 8080;")).toEqual([
      "its nginx config has no `listen … ssl` server, so it does not terminate TLS. Fix: `listen 8443 ssl;` with `ssl_certificate` and `ssl_certificate_key`",
    ]);
  });
});

describe("Caddy", () => {
  const caddy = (text: string) => tlsFloorProblems("caddy", text, "caddy:2");
  const NO_TLS =
    "its Caddyfile serves no HTTPS site (only http:// or :80 addresses, or auto_https off without `tls`), so it does not terminate TLS. Fix: serve an https:// site address";

  it("passes an HTTPS site, and one with tls1.2", () => {
    expect(caddy("example.com {\n  reverse_proxy api:3003\n}\n")).toEqual([]);
    expect(
      caddy("example.com, www.example.com {\n  tls {\n    protocols tls1.2 tls1.3\n  }\n}\n"),
    ).toEqual([]);
  });

  it("refuses only-plain sites, no sites, and auto_https off without tls", () => {
    expect(caddy("http://example.com {\n  reverse_proxy api:3003\n}\n")).toEqual([NO_TLS]);
    expect(caddy(":80 {\n  respond ok\n}\n")).toEqual([NO_TLS]);
    expect(caddy("")).toEqual([NO_TLS]);
    expect(caddy("{\n  auto_https off\n}\nexample.com {\n  respond ok\n}\n")).toEqual([NO_TLS]);
    expect(caddy("{\n  auto_https off\n}\nexample.com {\n  tls /c.pem /k.pem\n}\n")).toEqual([]);
    expect(caddy("http://a.example.com {\n}\nb.example.com {\n}\n")).toEqual([]);
  });

  it("refuses protocols below tls1.2", () => {
    expect(caddy("example.com {\n  tls {\n    protocols tls1.0 tls1.3\n  }\n}\n")).toEqual([
      "its Caddyfile sets `protocols tls1.0 tls1.3`, below TLS 1.2. Fix: remove it (Caddy's minimum is tls1.2) or write `protocols tls1.2`",
    ]);
  });
});

describe("other proxies", () => {
  it("are not judged here", () => {
    expect(tlsFloorProblems("traefik", "", "traefik:3")).toEqual([]);
  });
});
