/**
 * Issue 25, item 1 and 3 on the real engine: prod as committed, 50 requests/s over HTTPS through
 * the edge while `pulumi up` changes its config, then its certificate, then switches maintenance
 * mode on; and the script switching it off. Each reaches the running HAProxy by a reload
 * (components/lib/edge-live.ts): the proxy container is the same one, never restarted, and not
 * one request fails. The twin that differs by one setting is edge.test.ts's last measurement:
 * a replaced proxy container, and the gap it leaves.
 */
import { connect } from "node:tls";
import { afterAll, beforeAll, expect, test } from "vitest";
import { setMaintenance } from "../../backup/maintenance";
import { EDGE_STATE } from "../../components/lib/edge-live";
import { execIn } from "../../backup/docker";
import {
  engine,
  FAST,
  firstUp,
  loadCounter,
  nextUp,
  requireImages,
  teardown,
  type Deployment,
} from "./harness";
import { describeDocker } from "./layer";
import { formatSummary, summarize } from "./load";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeDocker("edge changes reach the running proxy with no restart", () => {
  let d: Deployment | undefined;
  const docker = engine();
  const proxyName = () => d!.applier.physicalName("edge-proxy");
  const proxyState = async () => {
    const i = await docker.getContainer(proxyName()).inspect();
    return { id: i.Id, startedAt: i.State.StartedAt, restarts: i.RestartCount };
  };
  /** The served certificate's serial number, and whether it verifies against the test CA. */
  const served = () =>
    new Promise<{ serial: string; authorized: boolean }>((resolve, reject) => {
      const s = connect(
        { host: d!.edgeIp, port: 443, ca: d!.edgeCa, servername: "localhost" },
        () => {
          resolve({ serial: s.getPeerCertificate().serialNumber, authorized: s.authorized });
          s.end();
        },
      );
      s.on("error", reject);
    });
  const get = (path: string) => fetchVia(`${d!.apiBase}${path}`, d!.edgeCa ?? "");

  /** `change` under 50 requests/s of GET /counter through the edge; the window's figures. */
  async function underLoad(what: string, change: () => Promise<void>) {
    const load = loadCounter(d!, { maxRequests: 20_000, maxMs: 300_000 });
    await sleep(3_000);
    load.mark("change");
    const started = performance.now();
    await change();
    const ms = performance.now() - started;
    load.mark("changed");
    await sleep(3_000);
    const res = await load.stop();
    const all = summarize(res);
    const during = summarize(res, res.marks.change, res.marks.changed);
    console.log(
      `[edge reload] ${what} took ${(ms / 1_000).toFixed(1)} s; ${formatSummary("during it", during)}; ${formatSummary("whole run", all)}`,
    );
    return { all, during };
  }
  const stepsSince = (n: number) =>
    Object.fromEntries(d!.applier.steps.slice(n).map((s) => [s.name, s.op]));

  beforeAll(async () => {
    await requireImages(docker);
    d = await firstUp("prod", FAST);
  }, 420_000);

  afterAll(() => teardown(d), 180_000);

  test("a config change (HSTS max-age): the installer is replaced, the proxy reloads, 0 failed requests", async () => {
    const before = await proxyState();
    expect((await get("/health")).headers["strict-transport-security"]).toBe(
      "max-age=63072000; includeSubDomains",
    );
    const n = d!.applier.steps.length;
    const { all } = await underLoad("config change", () =>
      nextUp(d!, { ...FAST, edge: { hstsMaxAgeSeconds: 31_536_000 } }),
    );
    expect(stepsSince(n)).toMatchObject({ "edge-config": "replace", "edge-proxy": "same" });
    expect(await proxyState()).toEqual(before);
    expect((await get("/health")).headers["strict-transport-security"]).toBe(
      "max-age=31536000; includeSubDomains",
    );
    expect(all.sent).toBeGreaterThan(200);
    expect(all.non2xx + all.errors, JSON.stringify(all.failures)).toBe(0);
  }, 300_000);

  test("a certificate swap: the new one is served by the same container, 0 failed requests", async () => {
    const before = await proxyState();
    const old = await served();
    const n = d!.applier.steps.length;
    const { all } = await underLoad("certificate swap", () =>
      nextUp(d!, { ...FAST, edge: { hstsMaxAgeSeconds: 31_536_000 }, newEdgeCertificate: true }),
    );
    expect(stepsSince(n)).toMatchObject({ "edge-config": "replace", "edge-proxy": "same" });
    const now = await served();
    expect(now.authorized).toBe(true);
    expect(now.serial).not.toBe(old.serial);
    expect(await proxyState()).toEqual(before);
    expect(all.non2xx + all.errors, JSON.stringify(all.failures)).toBe(0);
  }, 300_000);

  test("maintenance on by `pulumi up`: 503 with Retry-After and the page, /health still 200, headers kept; off by the script", async () => {
    const before = await proxyState();
    await nextUp(d!, {
      ...FAST,
      edge: {
        hstsMaxAgeSeconds: 31_536_000,
        maintenance: { enabled: true, message: "Back at 14:00 UTC.", retryAfter: "10m" },
      },
    });
    const page = await get("/counter");
    expect(page.status).toBe(503);
    expect(page.headers["retry-after"]).toBe("600");
    expect(page.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    expect(page.body).toContain("<p>Back at 14:00 UTC.</p>");
    expect((await get("/health")).status).toBe(200);
    expect(await proxyState()).toEqual(before);
    // The script's switch, as `npm run maintenance -- --stack prod off` and the restore use it.
    const started = performance.now();
    expect(await setMaintenance(docker, proxyName(), false)).toBe(true);
    console.log(
      `[edge reload] maintenance off by the script: loaded in ${Math.round(performance.now() - started)} ms`,
    );
    expect((await get("/counter")).status).toBe(200);
    expect(await proxyState()).toEqual(before);
    const loaded = await execIn(docker, proxyName(), ["cat", EDGE_STATE.loaded]);
    expect(loaded.stdout.split("\n")[0]).toMatch(/^[0-9a-f]{64}$/);
  }, 300_000);
});

/** One HTTPS GET trusting `ca`: status, lower-cased headers, body. */
async function fetchVia(
  url: string,
  ca: string,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { request } = await import("node:https");
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, servername: "localhost", agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: Object.fromEntries(
            Object.entries(res.headers).map(([k, v]) => [
              k,
              Array.isArray(v) ? v.join(", ") : String(v),
            ]),
          ),
          body,
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}
