/**
 * `edge.tls: acme`'s pure parts: the issuer script's builder, the ACME route in haproxy.cfg and
 * the component's defaults. The script's behaviour under busybox, lego, Pebble and HAProxy is
 * test/real/acme-issuer.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  ACME_HINTS,
  acmeCertificateFile,
  acmeScriptProblem,
  legoFileName,
  renderAcmeScript,
  type AcmeScriptSpec,
} from "../../components/lib/acme-script";
import { renderHaproxyCfg } from "../../components/lib/haproxy-cfg";
import { resolveEdgeProxyArgs } from "../../components/edge-proxy";
import { EDGE_ACME_DEFAULTS, resolveEdgeAcmeArgs } from "../../components/edge-acme";

const SPEC: AcmeScriptSpec = {
  directoryUrl: "https://acme-v02.api.letsencrypt.org/directory",
  email: "ops@example.com",
  domains: ["shop.example.com", "www.example.com"],
  challengePort: 8402,
  renewDays: 30,
  renewEverySeconds: 43_200,
  retryEverySeconds: 900,
};

describe("renderAcmeScript", () => {
  const script = renderAcmeScript(SPEC);

  it("runs lego with the directory, the account, every name and the challenge port, then renews on a loop", () => {
    expect(script).toContain(
      "--server 'https://acme-v02.api.letsencrypt.org/directory' --email 'ops@example.com' --accept-tos",
    );
    expect(script).toContain(
      "--http --http.port ':8402' -d 'shop.example.com' -d 'www.example.com'",
    );
    expect(script).toContain("until lego_ run; do");
    expect(script).toContain('lego_ renew --days "$RENEW_DAYS" --no-random-sleep');
    expect(script).toMatch(/RENEW_DAYS=30\nRENEW_EVERY=43200\nRETRY_EVERY=900/);
  });

  it("keeps lego's state on the volume and installs chain then key into live/ with a rename", () => {
    expect(script).toContain("ACME=/var/lib/haproxy/acme\nLIVE=/var/lib/haproxy/live");
    expect(script).toContain('cat "$CRT" "$KEY" >"$LIVE/.edge.pem.acme"');
    expect(script).toContain('mv -f "$LIVE/.edge.pem.acme" "$LIVE/edge.pem"');
    expect(script).toContain("umask 077");
  });

  // The review found the names joined into the URL ("http://a, b/.well-known/…").
  it("turns each ACME error type into what to do, with a URL of the first name", () => {
    for (const h of ACME_HINTS) expect(script).toContain(`*urn:ietf:params:acme:error:${h.type}*)`);
    expect(script).toContain(
      "the CA could not connect to http://shop.example.com/.well-known/acme-challenge/",
    );
    expect(script).not.toContain("http://shop.example.com, ");
  });

  // The review: a restart waited a whole renewEvery (12 h) before its first renewal check.
  it("a restart with a certificate checks the end date at once, before the first pause", () => {
    const loop = script.slice(script.indexOf("  loop)"));
    const restart = loop.slice(loop.indexOf('if [ -e "$CRT" ]'), loop.indexOf("obtain || exit 1"));
    expect(restart).toMatch(
      /install \|\| exit 1\n[\s\S]*until lego_ renew --days "\$RENEW_DAYS" --no-random-sleep && install; do/,
    );
  });

  it("uses only busybox applets the alpine image has, and no bashism", () => {
    // The commands the script runs besides sh's builtins (manifests.json, goacme/lego:v4.9.1).
    const used = ["cat", "mv", "rm", "mkdir", "sleep", "date", "cmp", "kill", "id"];
    for (const c of used) expect(script).toMatch(new RegExp(`\\b${c}\\b`));
    expect(script).not.toMatch(/\[\[|\bfunction\b|\bpipefail\b|<<<|\$\{[A-Z_]+\/\//);
    expect(script.startsWith("#!/bin/sh\n")).toBe(true);
  });

  it("refuses what would not be safe to put in the script", () => {
    expect(acmeScriptProblem(SPEC)).toBeUndefined();
    expect(acmeScriptProblem({ ...SPEC, email: "o'neil@example.com" })).toMatch(/email/);
    expect(acmeScriptProblem({ ...SPEC, directoryUrl: "https://x/'; rm -rf /" })).toMatch(
      /directoryUrl/,
    );
    expect(acmeScriptProblem({ ...SPEC, domains: ["shop example.com"] })).toMatch(/domain/);
    expect(acmeScriptProblem({ ...SPEC, domains: [] })).toMatch(/at least one/);
    expect(acmeScriptProblem({ ...SPEC, renewEverySeconds: 0.5 })).toMatch(/renewEverySeconds/);
    expect(acmeScriptProblem({ ...SPEC, challengePort: 70_000 })).toMatch(/challengePort/);
    expect(() => renderAcmeScript({ ...SPEC, email: "nope" })).toThrow(/acme issuer: email/);
  });

  it("names lego's files as lego does, which is the file the config writer tests", () => {
    expect(legoFileName("*.example.com")).toBe("_.example.com");
    expect(acmeCertificateFile("/var/lib/haproxy", ["shop.example.com", "x.example.com"])).toBe(
      "/var/lib/haproxy/acme/certificates/shop.example.com.crt",
    );
  });
});

describe("haproxy.cfg with the ACME route", () => {
  const base = {
    upstream: { name: "api", host: "api", port: 3003, healthPath: "/health", replicas: 2 },
    networkName: "n",
    tls: { certPem: "", keyPem: "" },
    stack: "prod",
  };
  const plain = renderHaproxyCfg(resolveEdgeProxyArgs(base).cfg);
  const acme = renderHaproxyCfg(
    resolveEdgeProxyArgs({ ...base, acme: { host: "edge-acme", port: 8402 } }).cfg,
  );

  it("is the same file without it", () => {
    expect(plain).not.toMatch(/acme/);
  });

  it("sends only /.well-known/acme-challenge/ on HTTP to the issuer; everything else still redirects", () => {
    const http = acme.slice(acme.indexOf("frontend http\n"), acme.indexOf("frontend https"));
    expect(http).toContain("acl acme_challenge path_beg /.well-known/acme-challenge/");
    expect(http).toMatch(/http-request redirect location .* code 301 unless acme_challenge\n/);
    expect(http).toContain("use_backend acme-challenge if acme_challenge");
    expect(acme).toContain(
      "backend acme-challenge\n  server issuer edge-acme:8402 resolvers docker init-addr none resolve-prefer ipv4\n",
    );
    const https = acme.slice(acme.indexOf("frontend https"));
    expect(https).not.toContain("acme_challenge");
  });

  it("refuses a host that is not a DNS name and an upstream named like the backend", () => {
    expect(() =>
      renderHaproxyCfg(
        resolveEdgeProxyArgs({ ...base, acme: { host: "Edge Acme", port: 8402 } }).cfg,
      ),
    ).toThrow(/acme host/);
    expect(() =>
      renderHaproxyCfg(
        resolveEdgeProxyArgs({
          ...base,
          upstream: { ...base.upstream, name: "acme-challenge" },
          acme: { host: "edge-acme", port: 8402 },
        }).cfg,
      ),
    ).toThrow(/ACME challenge backend/);
  });
});

describe("EdgeAcme defaults", () => {
  it("resolves every default with ??, so an explicit undefined still gets it", () => {
    const a = resolveEdgeAcmeArgs({
      domains: ["shop.example.com"],
      email: "ops@example.com",
      directoryUrl: undefined,
      renewDays: undefined,
      networkName: "n",
      stateVolumeName: "v",
      stack: "prod",
    });
    expect(a.directoryUrl).toBe("https://acme-v02.api.letsencrypt.org/directory");
    expect(a.renewDays).toBe(30);
    expect(a.renewEveryMs).toBe(12 * 3_600_000);
    expect(a.retryEveryMs).toBe(15 * 60_000);
    expect(a.image).toBe(EDGE_ACME_DEFAULTS.image);
  });
});
