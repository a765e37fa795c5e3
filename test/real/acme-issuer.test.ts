/**
 * `edge.tls: acme` on real binaries: Debian's Pebble (Let's Encrypt's ACME test server) as the
 * CA, its pebble-challtestsrv as the DNS both Pebble and HAProxy ask, the real HAProxy running
 * the rendered haproxy.cfg with the ACME route, and Debian's lego 4.9.1 (the pinned image's
 * version) driven by the rendered issuer script under busybox alone, as in the alpine image.
 * The CA fetches the HTTP-01 token through HAProxy's `frontend http`, the script installs the
 * chain and key in live/edge.pem, renews it when Pebble's short validity runs out, and says what
 * is wrong when the challenge cannot be reached. The edge reloading on the new file needs the
 * edge supervisor and is proven on the engine (test/docker/edge-acme.test.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { acmeCertificateFile, liveDir, renderAcmeScript } from "../../components/lib/acme-script";
import {
  EDGE_CFG_FILES,
  renderHaproxyCfg,
  type EdgeProxyCfgSpec,
} from "../../components/lib/haproxy-cfg";
import { resolveEdgeProxyArgs } from "../../components/edge-proxy";
import { describeReal } from "./layer";
import { freePort, removeTempDirs, requireBinaries, run, sleep, tempDir } from "./util";

const DOMAIN = "shop.acme.test";
/** Pebble's certificates end this long after issue (pebble v2.4.0 cmd/pebble/main.go, CertificateValidityPeriod). */
const VALIDITY_S = 30;

interface Proc {
  readonly p: ChildProcess;
  log: string;
}

function start(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Proc {
  // A process group of its own, so the issuer's lego child goes with it in afterAll.
  const p = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const proc: Proc = { p, log: "" };
  p.stdout?.on("data", (b: Buffer) => (proc.log += b.toString()));
  p.stderr?.on("data", (b: Buffer) => (proc.log += b.toString()));
  return proc;
}

async function until<T>(what: string, fn: () => T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}

/** prod's haproxy.cfg (the component's own defaults) on free loopback ports, with the ACME route. */
function edgeSpec(
  p: { http: number; https: number; health: number; acme: number },
  filesDir: string,
): EdgeProxyCfgSpec {
  const prod = resolveEdgeProxyArgs({
    upstream: { name: "api", host: "api", port: 3003, healthPath: "/health", replicas: 1 },
    networkName: "edge",
    tls: { certPem: "", keyPem: "" },
    stack: "prod",
  }).cfg;
  return {
    ...prod,
    httpPort: p.http,
    httpsPort: p.https,
    publicHttpsPort: p.https,
    healthPort: p.health,
    filesDir,
    acme: { host: "issuer", port: p.acme },
  };
}

describeReal("edge.tls: acme, lego against Pebble through the real HAProxy", () => {
  let dir: string;
  let bin: string;
  let pebbleRoot: string;
  const procs: Proc[] = [];
  let ports: Record<
    "http" | "https" | "health" | "acme" | "dir" | "mgmt" | "dns" | "dnsMgmt",
    number
  >;

  beforeAll(async () => {
    requireBinaries("pebble", "pebble-challtestsrv", "lego", "haproxy", "openssl", "busybox");
    dir = tempDir("api-stack-acme-");
    ports = {
      http: await freePort(),
      https: await freePort(),
      health: await freePort(),
      acme: await freePort(),
      dir: await freePort(),
      mgmt: await freePort(),
      dns: await freePort(),
      dnsMgmt: await freePort(),
    };
    // Pebble's own HTTPS listener: Debian ships no test/certs, so a throwaway CA signs one.
    const made = await run("sh", [
      "-ec",
      [
        `cd '${dir}'`,
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 1 -subj /CN=listener-ca 2>/dev/null",
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout pebble.key -out pebble.csr -subj /CN=localhost 2>/dev/null",
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext",
        "openssl x509 -req -in pebble.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out pebble.pem -days 1 -extfile san.ext 2>/dev/null",
        // The edge's self-signed fallback, as the config writer installs it before issuance.
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout fb.key -out fb.crt -days 1 -subj /CN=fallback 2>/dev/null",
        "mkdir -p state/live && cat fb.crt fb.key > state/live/edge.pem",
      ].join(" && "),
    ]);
    expect(made.code, made.stderr).toBe(0);
    writeFileSync(
      join(dir, "pebble.json"),
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${ports.dir}`,
          managementListenAddress: `127.0.0.1:${ports.mgmt}`,
          certificate: join(dir, "pebble.pem"),
          privateKey: join(dir, "pebble.key"),
          // The CA validates HTTP-01 on this port: the proxy's `frontend http`.
          httpPort: ports.http,
          tlsPort: await freePort(),
          ocspResponderURL: "",
          externalAccountBindingRequired: false,
          certificateValidityPeriod: VALIDITY_S,
        },
      }),
    );
    // Every name resolves to 127.0.0.1: the domain for Pebble, the issuer's alias for HAProxy.
    procs.push(
      start("pebble-challtestsrv", [
        ...["-dns01", `127.0.0.1:${ports.dns}`, "-management", `127.0.0.1:${ports.dnsMgmt}`],
        ...["-http01", "", "-https01", "", "-tlsalpn01", "", "-defaultIPv6", ""],
      ]),
    );
    procs.push(
      start(
        "pebble",
        ["-config", join(dir, "pebble.json"), "-dnsserver", `127.0.0.1:${ports.dns}`],
        {
          ...process.env,
          // pebble va/va.go: no random 0–15 s sleep before each validation; wfe/wfe.go: no
          // deliberately rejected nonces and no reused authorizations, so every order validates.
          PEBBLE_VA_NOSLEEP: "1",
          PEBBLE_WFE_NONCEREJECT: "0",
          PEBBLE_AUTHZREUSE: "0",
        },
      ),
    );
    const live = join(dir, "state/live");
    writeFileSync(join(live, EDGE_CFG_FILES.maintenance), "");
    writeFileSync(join(live, EDGE_CFG_FILES.maintenancePage), "<p>maintenance</p>");
    const cfg = renderHaproxyCfg(edgeSpec(ports, live)).replace(
      "nameserver docker 127.0.0.11:53",
      `nameserver docker 127.0.0.1:${ports.dns}`,
    );
    writeFileSync(join(dir, "haproxy.cfg"), cfg);
    procs.push(start("haproxy", ["-db", "-f", join(dir, "haproxy.cfg")]));
    // The issuer script runs under busybox with only its applets and lego on PATH.
    bin = tempDir("api-stack-acme-bin-");
    const applets = (await run("busybox", ["--list"])).stdout.trim().split("\n");
    await run("sh", [
      "-c",
      [
        ...applets.map((a) => `ln -s "$(command -v busybox)" '${bin}/${a}'`),
        `ln -s "$(command -v lego)" '${bin}/lego'`,
      ].join("; "),
    ]);
    await until(
      "Pebble's directory",
      () => (procs[1]?.log.includes("Listening on") ? true : undefined),
      10_000,
    );
    pebbleRoot = join(dir, "pebble-root.pem");
    const root = await run("curl", [
      "-sS",
      "--cacert",
      join(dir, "ca.pem"),
      `https://127.0.0.1:${ports.mgmt}/roots/0`,
    ]);
    expect(root.code, root.stderr).toBe(0);
    writeFileSync(pebbleRoot, root.stdout);
  }, 30_000);

  afterAll(() => {
    for (const { p } of procs) {
      try {
        if (p.pid !== undefined) process.kill(-p.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    removeTempDirs();
  });

  function issuer(
    name: string,
    challengePort: number,
    renewEverySeconds: number,
  ): { proc: Proc; state: string; status: string } {
    const state = name === "main" ? join(dir, "state") : tempDir("api-stack-acme-state-");
    const status = join(dir, `${name}.status`);
    const script = join(dir, `${name}.sh`);
    writeFileSync(
      script,
      renderAcmeScript({
        directoryUrl: `https://localhost:${ports.dir}/dir`,
        email: "ops@acme.test",
        domains: [DOMAIN],
        challengePort,
        renewDays: 30,
        renewEverySeconds,
        retryEverySeconds: 2,
        guardEverySeconds: 1,
        stateDir: state,
        statusFile: status,
      }),
    );
    const proc = start(`${bin}/sh`, [script, "loop"], {
      PATH: bin,
      // lego/client_config.go: the CA's TLS root, from the files in LEGO_CA_CERTIFICATES.
      LEGO_CA_CERTIFICATES: join(dir, "ca.pem"),
    });
    procs.push(proc);
    return { proc, state, status };
  }

  const health = (script: string, status: string) =>
    run(`${bin}/sh`, [script, "health"], { env: { PATH: bin } }).then((r) => ({ ...r, status }));

  test("haproxy -c accepts the rendered haproxy.cfg with the ACME route", async () => {
    const r = await run("haproxy", ["-c", "-f", join(dir, "haproxy.cfg")]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(dir, "haproxy.cfg"), "utf8")).toContain("backend acme-challenge");
  });

  test("issues through HAProxy's frontend http, installs chain then key, renews before the end", async () => {
    const t0 = Date.now();
    const { proc, state } = issuer("main", ports.acme, 3);
    const pem = join(liveDir(state), "edge.pem");
    const fallback = readFileSync(pem, "utf8");
    const first = await until(
      "the first certificate in live/edge.pem",
      () => {
        const text = readFileSync(pem, "utf8");
        return text === fallback || !existsSync(acmeCertificateFile(state, [DOMAIN]))
          ? undefined
          : text;
      },
      30_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n--- issuer\n${proc.log}`);
    });
    const issuedMs = Date.now() - t0;
    const leaf = new X509Certificate(first);
    expect(leaf.subjectAltName).toBe(`DNS:${DOMAIN}`);
    expect(leaf.issuer).toMatch(/Pebble Intermediate/);
    // Chain, then key: HAProxy's `crt` file.
    expect(first).toMatch(
      /^-----BEGIN CERTIFICATE-----[\s\S]+-----BEGIN CERTIFICATE-----[\s\S]+-----BEGIN EC PRIVATE KEY-----/,
    );
    expect(statSync(pem).mode & 0o777).toBe(0o600);
    // The chain verifies against Pebble's root, as a client would check it.
    writeFileSync(
      join(dir, "chain.pem"),
      first.slice(0, first.indexOf("-----BEGIN EC PRIVATE KEY-----")),
    );
    const v = await run("openssl", [
      "verify",
      "-CAfile",
      pebbleRoot,
      "-untrusted",
      join(dir, "chain.pem"),
      join(dir, "chain.pem"),
    ]);
    expect(v.stdout + v.stderr).toMatch(/OK/);
    // The key file and account key never reach the log.
    expect(proc.log).not.toMatch(/PRIVATE KEY/);
    expect(proc.log).toMatch(/Served key authentication/);
    expect((await health(join(dir, "main.sh"), "")).code).toBe(0);

    // Pebble's 30 s validity is under renewDays, so the next check renews.
    const t1 = Date.now();
    const second = await until(
      "a renewed certificate",
      () => {
        const text = readFileSync(pem, "utf8");
        return text !== first ? text : undefined;
      },
      30_000,
    );
    const renewedMs = Date.now() - t1;
    // Something else writes the fallback over it (an installer that does not know about
    // ACME): the issuer puts its certificate back at its next check.
    writeFileSync(pem, fallback);
    await until(
      "the certificate put back",
      () => (readFileSync(pem, "utf8") !== fallback ? true : undefined),
      10_000,
    );
    expect(new X509Certificate(second).serialNumber).not.toBe(leaf.serialNumber);
    expect(proc.log).toMatch(/acme: Trying renewal with 0 hours remaining/);
    console.log(
      `layer 4: first issuance ${issuedMs} ms, renewal ${renewedMs} ms after the first install (check every 3 s)`,
    );
  }, 90_000);

  test("a challenge the CA cannot reach: the log and the healthcheck say what to fix", async () => {
    // lego listens on a port the proxy does not route to, so the CA gets HAProxy's 503.
    const { proc, status } = issuer("lost", await freePort(), 3600);
    await until(
      "the failure",
      () =>
        existsSync(status) && readFileSync(status, "utf8").startsWith("error") ? true : undefined,
      30_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n--- issuer\n${proc.log}`);
    });
    const h = await health(join(dir, "lost.sh"), status);
    expect(h.code).toBe(1);
    expect(h.stdout).toMatch(
      /^error lego run failed for shop\.acme\.test .*: the CA reached shop\.acme\.test but did not get the challenge answer/,
    );
    expect(proc.log).toMatch(/urn:ietf:params:acme:error:unauthorized/);
    expect(proc.log).toMatch(
      /acme: lego run failed for shop\.acme\.test \(exit 1\): the CA reached/,
    );
    expect(proc.log).toMatch(/acme: trying again in 2 s/);
  }, 60_000);
});
