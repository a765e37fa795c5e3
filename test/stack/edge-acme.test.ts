/**
 * `edge.tls: acme` under mocks: what prod registers with it (the issuer beside the edge, the
 * ACME route in haproxy.cfg, a generated fallback certificate) and that the offline gate, with
 * the real pack, passes it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ProgramRun, PolicyPackClient } from "../../gate";
import { formatConsole, runGate } from "../../gate";
import { ACME_PATHS } from "../../components/lib/acme-script";
import { EDGE_ACME_DEFAULTS } from "../../components/edge-acme";
import { TYPES } from "../../components/types";
import { byType, isSecretWire, one, reveal, runStack } from "../helpers/program";
import { merge, stackObject } from "../helpers/stack-blocks";
import { startPackCopy } from "../helpers/pack";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const CERT = "tls:index/selfSignedCert:SelfSignedCert";
type Props = Record<string, unknown>;

export const ACME_EDGE = {
  tls: "acme",
  dnsNames: ["shop.example.com", "www.example.com"],
  acme: { email: "ops@example.com" },
};
const overrides = (patch: Props = {}) => ({
  "api-stack:edge": merge(stackObject("prod", "edge"), { ...ACME_EDGE, ...patch }),
});

let r: ProgramRun;
beforeAll(async () => {
  r = await runStack("prod", { overrides: overrides() });
});
const issuer = () => reveal(one(r, CONTAINER, "edge-acme-issuer").properties) as Props;

describe("prod with edge.tls: acme", () => {
  it("registers the issuer as the EdgeAcme component's one container, after the edge", () => {
    const c = one(r, CONTAINER, "edge-acme-issuer");
    expect(c.parent).toContain(TYPES.EdgeAcme);
    expect(c.dependencies.some((d) => d.includes("edge-proxy"))).toBe(true);
    expect(c.options.deleteBeforeReplace).toBe(true);
  });

  it("runs the pinned lego image as 99:99, unprivileged, limited, restarted, rotated, probed", () => {
    const p = issuer();
    expect(p.image).toBe("goacme/lego:v4.9.1");
    expect(p.user).toBe("99:99");
    expect(p.entrypoints).toEqual(["/bin/sh"]);
    expect(p.command).toEqual([ACME_PATHS.script, "loop"]);
    expect(p.capabilities).toEqual({ drops: ["ALL"] });
    expect(p.securityOpts).toEqual(["no-new-privileges:true"]);
    expect(p.memory).toBe(64);
    expect(p.restart).toBe("unless-stopped");
    expect(p.logOpts).toEqual({ "max-size": "10m", "max-file": "3" });
    expect((p.healthcheck as Props).tests).toEqual(["CMD", "/bin/sh", ACME_PATHS.script, "health"]);
    expect(p.wait).toBe(false);
    expect(p.ports).toEqual([]);
    // Names are generated: no hard-coded physical name.
    expect(p.name).toBeUndefined();
  });

  it("is reached by the edge's ACME backend through its alias, and keeps its state on the volume", () => {
    const p = issuer();
    expect(p.networksAdvanced).toEqual([expect.objectContaining({ aliases: ["edge-acme"] })]);
    const vol = byType(r, VOLUME).find((v) => v.name === "edge-state");
    expect(vol).toBeDefined();
    expect(p.volumes).toEqual([expect.objectContaining({ containerPath: "/var/lib/haproxy" })]);
    // The installer (components/edge-proxy.ts) puts haproxy.cfg on the state volume.
    const cfg = (reveal(one(r, CONTAINER, "edge-config").properties.uploads) as Props[]).find((u) =>
      String(u.file).endsWith("haproxy.cfg"),
    );
    expect(String(cfg?.content)).toContain(
      `server issuer edge-acme:${EDGE_ACME_DEFAULTS.challengePort} resolvers docker`,
    );
    expect(String(cfg?.content)).toContain("use_backend acme-challenge if acme_challenge");
  });

  // Without it, every `up` that changes the edge's files would put the fallback back over
  // the issued certificate until the issuer next looked.
  it("the installer keeps the issued certificate: EDGE_KEEP_PEM_IF names the file lego writes for the first name", async () => {
    const envs = reveal(one(r, CONTAINER, "edge-config").properties.envs) as string[];
    expect(envs).toContain(
      "EDGE_KEEP_PEM_IF=/var/lib/haproxy/acme/certificates/shop.example.com.crt",
    );
    const selfSigned = await runStack("prod");
    const plain = reveal(one(selfSigned, CONTAINER, "edge-config").properties.envs) as string[];
    expect(plain.some((e) => e.startsWith("EDGE_KEEP_PEM_IF="))).toBe(false);
  });

  it("uploads a script that asks Let's Encrypt for every name, with no secret anywhere", () => {
    const p = issuer();
    const uploads = p.uploads as Props[];
    expect(uploads.map((u) => u.file)).toEqual([ACME_PATHS.script]);
    const raw = one(r, CONTAINER, "edge-acme-issuer").properties.uploads as Props[];
    expect(isSecretWire(raw[0]?.content)).toBe(false);
    const script = String(uploads[0]?.content);
    expect(script).toContain("--server 'https://acme-v02.api.letsencrypt.org/directory'");
    expect(script).toContain("-d 'shop.example.com' -d 'www.example.com'");
    expect(script).toContain("RENEW_DAYS=30\nRENEW_EVERY=43200\nRETRY_EVERY=900");
    expect(script).toContain('CRT="$ACME/certificates/shop.example.com.crt"');
    expect(p.envs).toEqual([]);
    expect(JSON.stringify(p)).not.toMatch(/PRIVATE KEY/);
  });

  it("still generates the self-signed fallback for the edge, but gives monitoring no end date from it", () => {
    expect(byType(r, CERT)).toHaveLength(1);
    const rules = (
      reveal(one(r, CONTAINER, "monitoring-prometheus").properties.uploads) as Props[]
    ).find((u) => String(u.file).endsWith("api-stack.yml"));
    expect(String(rules?.content)).not.toMatch(/EdgeCertificateExpiring[\s\S]*vector\(\d{9,}\)/);
  });

  it("a private CA: the root is uploaded and named in LEGO_CA_CERTIFICATES, the directory in the script", async () => {
    const root = "-----BEGIN CERTIFICATE-----\nMIIBfakeRootForPebble\n-----END CERTIFICATE-----\n";
    const run = await runStack("prod", {
      overrides: overrides({
        acme: {
          email: "ops@example.com",
          directoryUrl: "https://pebble:14000/dir",
          caCertificate: root,
          renewEvery: "5s",
          retryEvery: "2s",
        },
      }),
    });
    const p = reveal(one(run, CONTAINER, "edge-acme-issuer").properties) as Props;
    expect(p.envs).toEqual([`LEGO_CA_CERTIFICATES=${ACME_PATHS.caBundle}`]);
    const uploads = p.uploads as Props[];
    expect(uploads[1]).toEqual(
      expect.objectContaining({ file: ACME_PATHS.caBundle, content: root }),
    );
    expect(String(uploads[0]?.content)).toContain("RENEW_EVERY=5\nRETRY_EVERY=2");
  });
});

describe("the offline gate with the real pack", () => {
  let pack: PolicyPackClient | undefined;
  beforeAll(async () => {
    pack = await startPackCopy();
  }, 60_000);
  afterAll(() => pack?.stop());

  it("passes prod with edge.tls: acme: the issuer is not a web service that needs replicas", async () => {
    const g = await runGate({
      stack: "prod",
      overrides: overrides(),
      pack,
      load: () => {
        vi.resetModules();
        return import("../../stacks/index");
      },
    });
    expect(g.programError).toBeUndefined();
    // What `edge.tls: acme` adds draws no mandatory violation: none on the issuer, and
    // edge-web-replicas does not count it as a web service with one replica.
    const ours = g.diagnostics.filter(
      (x) =>
        x.enforcementLevel === "mandatory" &&
        (x.urn.includes("edge-acme") || x.policyName === "edge-web-replicas"),
    );
    expect(ours, formatConsole(g)).toEqual([]);
  }, 60_000);
});
