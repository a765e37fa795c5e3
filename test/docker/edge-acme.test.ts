/**
 * `edge.tls: acme` on the real engine against Pebble, Let's Encrypt's ACME test server (Debian's
 * pebble 2.6.0, test/docker/images/build.sh): prod with the issuer beside the edge, in this
 * order: until the name resolves to the edge the CA cannot reach the challenge, which the
 * issuer's log and healthcheck say, while the edge serves its self-signed fallback; once it
 * does, the first certificate is issued and served, chaining to Pebble's root; Pebble's short
 * validity then forces renewals, each installed under 50 requests/s with no failed request.
 *
 * Pebble runs beside the edge on its frontend network, as `pebble`, with pebble-challtestsrv as
 * the DNS it validates through (pebble v2.6.0 cmd/pebble/main.go, `-dnsserver`): an A record
 * for the name, pointing at the edge's address there, is the test's "DNS is ready".
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import type Docker from "dockerode";
import { demuxLogs } from "../../verify/diagnose";
import { run as runBinary, tempDir } from "../real/util";
import { engine, FAST, firstUp, requireImages, teardown, type Deployment } from "./harness";
import { describeDocker } from "./layer";
import { formatSummary, startLoad, summarize } from "./load";

const DOMAIN = "shop.acme.test";
const PEBBLE_IMAGE = "api-stack-test/pebble:2.6.0";
/** Seconds Pebble's certificates last: far under renewDays, so every check renews. */
const VALIDITY_S = 120;
/** How often the issuer checks; each check renews (VALIDITY_S < renewDays). */
const RENEW_EVERY_S = 15;
const LABEL = { "com.api-stack.stack": "edge-acme-test" };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, check: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(500);
  }
}

/** Output of a command run inside a container, as its user. */
async function exec(
  docker: Docker,
  id: string,
  cmd: string[],
): Promise<{ code: number; out: string }> {
  const e = await docker
    .getContainer(id)
    .exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await e.start({});
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve) => {
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve());
  });
  return { code: (await e.inspect()).ExitCode ?? -1, out: demuxLogs(Buffer.concat(chunks)) };
}

describeDocker("edge.tls: acme against Pebble on a real Docker engine", () => {
  const docker = engine();
  let d: Deployment | undefined;
  let pebble: Docker.Container | undefined;
  let dir: string;
  let listenerCa: string;
  let pebbleRoot: string;
  let mgmt: { pebble: number; dns: number };
  const t: Record<string, number> = {};

  const issuerName = () => d!.applier.physicalNames(/^edge-acme-issuer$/)[0]!;
  const edgeName = () => d!.applier.physicalNames(/^edge-proxy$/)[0]!;
  const issuerLogs = async () =>
    demuxLogs(await docker.getContainer(issuerName()).logs({ stdout: true, stderr: true }));

  /** The certificate the edge serves for DOMAIN, and whether it verifies against Pebble's root. */
  async function served(
    caFile = pebbleRoot,
    checkName = `-verify_hostname ${DOMAIN}`,
  ): Promise<{ pem: string; verified: boolean; text: string }> {
    const r = await runBinary(
      "sh",
      [
        "-c",
        `openssl s_client -connect '${d!.edgeIp}:443' -servername ${DOMAIN} ${checkName} -CAfile '${caFile}' -verify_return_error </dev/null 2>&1`,
      ],
      { timeoutMs: 10_000 },
    );
    const pem =
      /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(r.stdout)?.[0] ?? "";
    return {
      pem,
      verified: r.code === 0 && /Verify return code: 0 \(ok\)/.test(r.stdout),
      text: r.stdout,
    };
  }

  beforeAll(async () => {
    await requireImages(docker);
    dir = tempDir("api-stack-acme-l5-");
    // Pebble's own HTTPS listener, for the name `pebble`: Debian ships no test certificates.
    execFileSync("sh", [
      "-ec",
      [
        `cd '${dir}'`,
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 1 -subj /CN=pebble-listener-ca 2>/dev/null",
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout l.key -out l.csr -subj /CN=pebble 2>/dev/null",
        "printf 'subjectAltName=DNS:pebble,DNS:localhost,IP:127.0.0.1\\n' > san.ext",
        "openssl x509 -req -in l.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out l.pem -days 1 -extfile san.ext 2>/dev/null",
      ].join(" && "),
    ]);
    listenerCa = execFileSync("cat", [join(dir, "ca.pem")], { encoding: "utf8" });
    t.upStart = Date.now();
    d = await firstUp("prod", {
      ...FAST,
      edge: {
        tls: "acme",
        dnsNames: [DOMAIN],
        acme: {
          email: "ops@acme.test",
          directoryUrl: "https://pebble:14000/dir",
          caCertificate: listenerCa,
          renewEvery: `${RENEW_EVERY_S}s`,
          retryEvery: "3s",
        },
      },
    });
    t.upDone = Date.now();
  }, 300_000);

  afterAll(async () => {
    if (pebble) await pebble.remove({ force: true }).catch(() => undefined);
    await teardown(d);
  }, 120_000);

  test("the issuer runs as planned: lego's image as 99:99 on the frontend network and the state volume", async () => {
    const info = await docker.getContainer(issuerName()).inspect();
    expect(info.Config.User).toBe("99:99");
    expect(info.Config.Image).toBe("goacme/lego:v4.9.1");
    expect(info.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(info.Mounts.map((m) => m.Destination)).toEqual(["/var/lib/haproxy"]);
    const nets = Object.values(info.NetworkSettings.Networks);
    expect(nets.some((n) => (n.Aliases ?? []).includes("edge-acme"))).toBe(true);
    // No CA yet: `run` fails and is retried, and the edge keeps serving its fallback.
    await until(
      "a failed attempt in the log",
      async () =>
        /acme: lego run failed for shop\.acme\.test/.test(await issuerLogs()) ? true : undefined,
      30_000,
    );
  }, 60_000);

  test("Pebble beside the edge; until the name resolves to the edge the challenge cannot be reached, and the issuer says so", async () => {
    const frontend = Object.keys(
      (await docker.getContainer(issuerName()).inspect()).NetworkSettings.Networks,
    )[0]!;
    const config = JSON.stringify({
      pebble: {
        listenAddress: "0.0.0.0:14000",
        managementListenAddress: "0.0.0.0:15000",
        certificate: "/etc/pebble/l.pem",
        privateKey: "/etc/pebble/l.key",
        // The edge's `frontend http` inside its container (components/edge-proxy.ts INSIDE).
        httpPort: 8080,
        tlsPort: 5001,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
        certificateValidityPeriod: VALIDITY_S,
      },
    });
    const read = (f: string) => execFileSync("cat", [join(dir, f)], { encoding: "utf8" });
    pebble = await docker.createContainer({
      Image: PEBBLE_IMAGE,
      Entrypoint: ["/bin/sh", "-c"],
      Cmd: [
        'printf %s "$PEBBLE_CONFIG" >/etc/pebble/pebble-config.json && printf %s "$L_CERT" >/etc/pebble/l.pem && ' +
          'printf %s "$L_KEY" >/etc/pebble/l.key && ' +
          // Every name answers 127.0.0.1 (nothing on 8080 there) until the test adds the record.
          "pebble-challtestsrv -dns01 :8053 -management :8055 -http01 '' -https01 '' -tlsalpn01 '' -defaultIPv6 '' & " +
          "exec pebble -config /etc/pebble/pebble-config.json -dnsserver 127.0.0.1:8053",
      ],
      Env: [
        `PEBBLE_CONFIG=${config}`,
        `L_CERT=${read("l.pem")}`,
        `L_KEY=${read("l.key")}`,
        // pebble va/va.go: no 0–15 s sleep before validating; wfe/wfe.go: no rejected nonces,
        // no reused authorizations, so every renewal validates again.
        "PEBBLE_VA_NOSLEEP=1",
        "PEBBLE_WFE_NONCEREJECT=0",
        "PEBBLE_AUTHZREUSE=0",
      ],
      Labels: LABEL,
      ExposedPorts: { "15000/tcp": {}, "8055/tcp": {} },
      HostConfig: {
        NetworkMode: frontend,
        PortBindings: {
          "15000/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }],
          "8055/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }],
        },
      },
      NetworkingConfig: { EndpointsConfig: { [frontend]: { Aliases: ["pebble"] } } },
    });
    await pebble.start();
    const ports = (await pebble.inspect()).NetworkSettings.Ports;
    mgmt = {
      pebble: Number(ports["15000/tcp"]?.[0]?.HostPort),
      dns: Number(ports["8055/tcp"]?.[0]?.HostPort),
    };
    pebbleRoot = join(dir, "pebble-root.pem");
    const root = await until(
      "Pebble's root",
      async () => {
        const r = await runBinary("curl", [
          "-sSf",
          "--cacert",
          join(dir, "ca.pem"),
          `https://127.0.0.1:${mgmt.pebble}/roots/0`,
        ]);
        return r.code === 0 ? r.stdout : undefined;
      },
      30_000,
    );
    writeFileSync(pebbleRoot, root);
    t.pebbleUp = Date.now();

    // The CA reaches only 127.0.0.1:8080 for the name: a connection error, said in plain words.
    const health = await until(
      "the issuer's healthcheck to report the unreachable challenge",
      async () => {
        const h = await exec(docker, issuerName(), [
          "/bin/sh",
          "/usr/local/bin/api-stack-acme",
          "health",
        ]);
        return h.code === 1 && /urn|could not connect/.test(h.out) && /connect/.test(h.out)
          ? h.out
          : undefined;
      },
      60_000,
    );
    expect(health).toMatch(
      /^error lego run failed for shop\.acme\.test at .*: the CA could not connect to http:\/\/shop\.acme\.test\/\.well-known\/acme-challenge\/: point the DNS name at this host and open port 80/,
    );
    // Meanwhile the edge serves its self-signed fallback: the site stays up, untrusted by Pebble.
    expect((await served()).verified).toBe(false);
    const fallbackCa = join(dir, "fallback-ca.pem");
    writeFileSync(fallbackCa, d!.edgeCa!);
    // The test harness's stand-in for the generated certificate names the edge's address.
    expect((await served(fallbackCa, `-verify_ip ${d!.edgeIp}`)).verified).toBe(true);
    const logs = await issuerLogs();
    expect(logs).toMatch(/urn:ietf:params:acme:error:connection/);
    expect(logs).toMatch(/acme: trying again in 3 s/);
    expect(logs).not.toMatch(/PRIVATE KEY/);
    console.log(`issuer, unreachable challenge:\n  healthcheck: ${health.trim()}`);
  }, 120_000);

  test("once the name resolves to the edge: issued, installed, served, chaining to Pebble's root", async () => {
    const edge = await docker.getContainer(edgeName()).inspect();
    const frontend = Object.keys(
      (await docker.getContainer(issuerName()).inspect()).NetworkSettings.Networks,
    )[0]!;
    const ip = edge.NetworkSettings.Networks[frontend]!.IPAddress;
    const add = await runBinary("curl", [
      "-sSf",
      "-X",
      "POST",
      "-d",
      JSON.stringify({ host: DOMAIN, addresses: [ip] }),
      `http://127.0.0.1:${mgmt.dns}/add-a`,
    ]);
    expect(add.code, add.stderr).toBe(0);
    t.dnsReady = Date.now();
    const crt = await until(
      "the certificate on the state volume",
      async () => {
        const r = await exec(docker, issuerName(), [
          "cat",
          `/var/lib/haproxy/acme/certificates/${DOMAIN}.crt`,
        ]);
        return r.code === 0 && r.out.includes("BEGIN CERTIFICATE") ? r.out : undefined;
      },
      60_000,
    );
    t.issued = Date.now();
    const leaf = new X509Certificate(crt);
    expect(leaf.subjectAltName).toBe(`DNS:${DOMAIN}`);
    const s = await until(
      "the edge to serve it",
      async () => {
        const x = await served();
        return x.verified ? x : undefined;
      },
      30_000,
    );
    t.served = Date.now();
    expect(new X509Certificate(s.pem).serialNumber).toBe(leaf.serialNumber);
    const h = await exec(docker, issuerName(), [
      "/bin/sh",
      "/usr/local/bin/api-stack-acme",
      "health",
    ]);
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/^ok certificate for shop\.acme\.test installed/);
    console.log(
      `Pebble issuance: ${t.issued - t.dnsReady} ms from the DNS record to the certificate on the volume, ` +
        `${t.served - t.dnsReady} ms to the edge serving it (verify_return_error against Pebble's root: ok)`,
    );
  }, 120_000);

  test("renewals forced by Pebble's short validity swap the served certificate under 50 requests/s with no failed request", async () => {
    const first = await served();
    const load = startLoad({
      url: `https://${d!.edgeIp}/counter`,
      servername: DOMAIN,
      ca: execFileSync("cat", [pebbleRoot], { encoding: "utf8" }),
      rate: 50,
      maxRequests: 10_000,
      maxMs: 120_000,
      timeoutMs: 10_000,
    });
    const serials = new Set([new X509Certificate(first.pem).serialNumber]);
    const t0 = Date.now();
    const swaps: number[] = [];
    // Two renewals: each a new serial served by the running edge.
    while (swaps.length < 2 && Date.now() - t0 < 100_000) {
      const x = await served();
      if (x.verified && x.pem !== "") {
        const serial = new X509Certificate(x.pem).serialNumber;
        if (!serials.has(serial)) {
          serials.add(serial);
          swaps.push(Date.now() - t0);
          load.mark(`swap ${swaps.length}`);
        }
      }
      await sleep(500);
    }
    await sleep(3_000);
    const r = await load.stop();
    const sum = summarize(r);
    console.log(formatSummary("HTTPS under renewals", sum));
    console.log(
      `renewals served at ${swaps.map((ms) => `${(ms / 1_000).toFixed(1)} s`).join(", ")} (check every ${RENEW_EVERY_S} s)`,
    );
    const logs = await issuerLogs();
    expect(logs).toMatch(/acme: Trying renewal with 0 hours remaining/);
    // Each renewal, from lego's "Trying renewal" (its log's local time, UTC here) to the
    // script's "installed" line.
    const at = (d: string) => Date.parse(d.replace(/\//g, "-").replace(" ", "T") + "Z");
    const starts = [
      ...logs.matchAll(/^(\S+ \S+) \[INFO\] \[shop\.acme\.test\] acme: Trying renewal/gm),
    ].map((m) => at(m[1]!));
    const ends = [...logs.matchAll(/^(\S+)Z acme: installed the certificate/gm)].map((m) =>
      Date.parse(`${m[1]!}Z`),
    );
    const durations = starts.map((s) => (ends.find((e) => e >= s) ?? NaN) - s);
    console.log(
      `renewal durations from lego's log (1 s resolution): ${durations.map((ms) => `${ms / 1_000} s`).join(", ")}`,
    );
    expect(swaps).toHaveLength(2);
    expect(sum.sent).toBeGreaterThan(500);
    expect(sum.errors + sum.non2xx, JSON.stringify(sum.failures)).toBe(0);
    // The edge was never replaced: the same container served every certificate.
    expect(d!.applier.physicalNames(/^edge-proxy$/)).toEqual([edgeName()]);
  }, 180_000);
});
