/**
 * deploy.yml's "Verify on the host" step, run as the runner runs it: its own `run:` script,
 * under bash, with real curl and openssl against a real TLS server that serves the stack's
 * self-signed certificate, as the edge proxy does after a prod `up`. Only the three commands a
 * runner reaches the outside world with are stand-ins: `pulumi` (the stack's outputs and
 * config), `ssh` (runs the remote command here, with its stdin) and `docker` (a healthy status).
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { parse } from "yaml";
import { PROJECT_DIR } from "../../gate";
import { describeReal } from "./layer";
import { freePort, requireBinaries, run, tempDir } from "./util";

interface Step {
  name?: string;
  run?: string;
}
const deploy = parse(readFileSync(join(PROJECT_DIR, ".github/workflows/deploy.yml"), "utf8")) as {
  jobs: Record<string, { steps: Step[] }>;
};
const script = deploy.jobs.prod?.steps.find((s) => s.name === "Verify on the host")?.run ?? "";

/** The name the certificate is for: prod's default `edge.dnsNames` is ["localhost"], so another. */
const DNS_NAME = "api.example.test";

describeReal("deploy.yml verifies prod on the host through the edge's TLS", () => {
  let server: Server;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let outputs: Record<string, unknown>;
  const writeOutputs = (o: Record<string, unknown>) =>
    writeFileSync(join(dir, "outputs.json"), JSON.stringify(o));

  beforeAll(async () => {
    requireBinaries("curl", "openssl");
    dir = tempDir("api-stack-deploy-check-");
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    const made = await run("openssl", [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
      ...["-keyout", key, "-out", cert, "-days", "1", "-subj", `/CN=${DNS_NAME}`],
      ...["-addext", `subjectAltName=DNS:${DNS_NAME}`],
    ]);
    expect(made.code, made.stderr).toBe(0);
    const port = await freePort();
    server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      res.writeHead(req.url === "/health" ? 200 : 404).end();
    });
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
    // What `pulumi stack output` prints for prod with the edge published on 0.0.0.0:<port>.
    outputs = {
      edgeUrl: `https://localhost:${port}`,
      edgeDnsName: DNS_NAME,
      edgeCertificatePem: readFileSync(cert, "utf8"),
      apiUrl: `https://localhost:${port}`,
      apiHealthPath: "/health",
      edgeContainerName: "edge-proxy-1a2b3c4",
      apiContainerName: "api-server-5d6e7f8",
      apiContainerNames: ["api-server-5d6e7f8", "api-server-2-9a8b7c6"],
      redisContainerName: "cache-server-0f1e2d3",
    };
    const bin = join(dir, "bin");
    const shim = (name: string, body: string) => {
      writeFileSync(join(bin, name), body);
      chmodSync(join(bin, name), 0o755);
    };
    await run("mkdir", ["-p", bin]);
    writeOutputs(outputs);
    shim(
      "pulumi",
      `#!/usr/bin/env node
const [cmd, sub, key, ...rest] = process.argv.slice(2);
const outputs = JSON.parse(require("fs").readFileSync(${JSON.stringify(join(dir, "outputs.json"))}, "utf8"));
if (cmd === "config" && sub === "get" && key === "docker:host") { console.log("ssh://deploy@api-1.example.test"); process.exit(0); }
if (cmd === "stack" && sub === "output" && key in outputs) {
  const v = outputs[key];
  console.log(rest.includes("--json") ? JSON.stringify(v) : typeof v === "string" ? v : JSON.stringify(v));
  process.exit(0);
}
console.error("pulumi stand-in: unknown call " + process.argv.slice(2).join(" ")); process.exit(1);
`,
    );
    // ssh HOST COMMAND…: the remote shell runs COMMAND with ssh's stdin, here.
    shim("ssh", '#!/bin/sh\nshift\nexec sh -c "$*"\n');
    shim("docker", "#!/bin/sh\necho healthy\n");
    env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: dir };
  }, 30_000);

  afterAll(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  test("the step exits 0 after a healthy up: curl trusts the stack's certificate for its name", async () => {
    expect(script).not.toBe("");
    const r = await run("bash", ["-eo", "pipefail", "-c", script], { env, cwd: dir });
    console.log(`[deploy check] exit ${r.code}\n${(r.stdout + r.stderr).trim()}`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/: 200$/m);
  }, 30_000);

  test("the same step fails when the edge serves a certificate for another name (one output differs)", async () => {
    writeOutputs({ ...outputs, edgeDnsName: "other.example.test" });
    try {
      const r = await run("bash", ["-eo", "pipefail", "-c", script], { env, cwd: dir });
      expect(r.code).toBe(60);
      expect(r.stderr).toMatch(/SSL: no alternative certificate subject name matches/);
    } finally {
      writeOutputs(outputs);
    }
  }, 30_000);
});
