/**
 * The generated API healthcheck (`CMD curl …`) exec'd as Docker execs it, against a real
 * HTTP server on loopback: a 500 must fail it, and a server that accepts the connection
 * but never answers must fail it within the configured timeout, not hang the probe.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { httpProbe } from "../../components/lib/healthcheck";
import { freePort, requireBinaries, runHealthcheck } from "./util";
import { describeReal } from "./layer";

type Mode = "ok" | "error" | "hang";

describeReal("API healthcheck (httpProbe) against a real HTTP server", () => {
  let server: Server;
  let port: number;
  let mode: Mode = "ok";
  const hits: string[] = [];

  beforeAll(async () => {
    requireBinaries("curl");
    server = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      if (mode === "hang") return; // accept, read the request, never answer
      res.writeHead(mode === "ok" ? 200 : 500, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: mode }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test("200 → exit 0, and it asks for the configured path", async () => {
    mode = "ok";
    hits.length = 0;
    const r = await runHealthcheck(httpProbe(port, "/health", 3_000));
    expect(r.code, r.stderr).toBe(0);
    expect(hits).toEqual(["GET /health"]);
  });

  test("500 → non-zero", async () => {
    mode = "error";
    const r = await runHealthcheck(httpProbe(port, "/health", 3_000));
    expect(r.code).toBe(22); // curl -f: HTTP error
  });

  test("connection refused → non-zero", async () => {
    const r = await runHealthcheck(httpProbe(await freePort(), "/health", 3_000));
    expect(r.code).toBe(7); // curl: failed to connect
  });

  test("a server that never answers → non-zero within the configured timeout", async () => {
    mode = "hang";
    const timeoutMs = 2_000;
    const r = await runHealthcheck(httpProbe(port, "/health", timeoutMs), 10_000);
    console.log(
      `http probe against a hung server: timeout=${timeoutMs}ms elapsed=${Math.round(r.elapsedMs)}ms exit=${r.code}`,
    );
    expect(r.code).toBe(28); // curl: operation timed out
    expect(r.elapsedMs).toBeGreaterThan(1_500);
    expect(r.elapsedMs).toBeLessThan(4_000);
    server.closeAllConnections();
  }, 15_000);
});
