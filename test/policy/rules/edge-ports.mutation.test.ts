/**
 * edge-proxy-ports and edge-proxy-tls-floor on the corpus's edge proxy, one port or one field at
 * a time: unset, unknown and disallowed external ports, the configured allow-list, non-proxies,
 * development, and proxies whose config the pack does not read.
 */
import { describe, expect, it } from "vitest";
import { edgeProxyPorts, edgeProxyTlsFloor } from "../../../policy/rules/edge";
import { UNKNOWN } from "../../../policy/lib/unknown";
import { apiProps, T } from "../corpus/base";
import { proxyProps } from "../corpus/edge-base";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asPolicySees, createStackValidationArgs, messagesOf, runStackPolicy } from "../util";

type P = Record<string, unknown>;
const run = (policy: ResourceValidationPolicy, p: P, config: P = { production: true }) =>
  messagesOf(policy, T.container, asPolicySees(p), { name: "edge", config });
const proxy = (ports: unknown) => ({ ...proxyProps(), ports });
/** edge-proxy-tls-floor, a stack rule, on a stack of this one container. */
const tls = async (p: P) =>
  (
    await runStackPolicy(
      edgeProxyTlsFloor,
      createStackValidationArgs([{ type: T.container, name: "edge", props: p }]),
    )
  ).map((v) => v.message);

describe("edge-proxy-ports", () => {
  it("passes 80 and 443, and anything outside production", async () => {
    expect(
      await run(
        edgeProxyPorts,
        proxy([
          { internal: 8080, external: 80 },
          { internal: 8443, external: 443 },
        ]),
      ),
    ).toEqual([]);
    expect(
      await run(edgeProxyPorts, proxy([{ internal: 8443, external: 8443 }]), { production: false }),
    ).toEqual([]);
  });

  it("refuses an unset external port, naming the internal one", async () => {
    const [m] = await run(edgeProxyPorts, proxy([{ internal: 8443 }]));
    expect(m).toContain(
      "leaves `ports[0].external` unset (internal 8443), so Docker publishes it on a random host port. Fix: set external to one of 80 and 443.",
    );
    expect(await run(edgeProxyPorts, proxy([{ internal: 8443, external: null }]))).toHaveLength(1);
  });

  it("refuses another port, or a port as a string", async () => {
    const [m] = await run(edgeProxyPorts, proxy([{ internal: 8443, external: 8443 }]));
    expect(m).toContain(
      "publishes host port 8443 (`ports[0].external`); an edge proxy publishes only 80 and 443. Fix: publish it on 80 and 443, or remove the port.",
    );
    expect(await run(edgeProxyPorts, proxy([{ internal: 8443, external: "443" }]))).toHaveLength(1);
  });

  it("takes the allowed ports from config", async () => {
    const cfg = { production: true, allowedPorts: [8443] };
    expect(await run(edgeProxyPorts, proxy([{ internal: 8443, external: 8443 }]), cfg)).toEqual([]);
    expect(
      (await run(edgeProxyPorts, proxy([{ internal: 8443, external: 443 }]), cfg))[0],
    ).toContain("publishes only 8443");
  });

  it("asks for literals when ports or one external port is unknown", async () => {
    expect((await run(edgeProxyPorts, proxy(UNKNOWN)))[0]).toContain("set ports to a literal list");
    const found = await run(edgeProxyPorts, proxy([{ internal: 8443, external: UNKNOWN }, null]));
    expect(found).toHaveLength(2);
    expect(found[0]).toContain("`ports[0].external` of");
    expect(found[0]).toContain("set external to a literal port");
  });

  it("leaves containers that are not proxies alone", async () => {
    expect(
      await run(edgeProxyPorts, { ...apiProps(), ports: [{ internal: 3003, external: 3003 }] }),
    ).toEqual([]);
  });
});

describe("edge-proxy-tls-floor", () => {
  it("passes the corpus's HAProxy, and refuses it with TLS 1.1 allowed, naming the file", async () => {
    expect(await tls(proxyProps())).toEqual([]);
    const p = proxyProps();
    const up = (p.uploads as P[]).map((u) =>
      typeof u.content === "string" && /ssl-min-ver/.test(u.content)
        ? { ...u, content: u.content.replace(/ssl-min-ver TLSv1\.2/, "ssl-min-ver TLSv1.1") }
        : u,
    );
    const [m] = await tls({ ...p, uploads: up });
    expect(m).toMatch(/\(edge proxy, .+\.cfg\): its haproxy\.cfg allows `ssl-min-ver TLSv1\.1`/);
  });

  it("refuses Traefik and Envoy, whose config the pack does not read, and says to front them", async () => {
    for (const image of ["traefik:3.1", "envoyproxy/envoy:v1.31"]) {
      const [m] = await tls({ ...proxyProps(), image });
      expect(m).toMatch(
        /^The TLS floor of .+ cannot be verified: the pack does not parse (traefik|envoy) configuration\. A mandatory check does not pass what it cannot read\. Fix: front the stack with HAProxy, nginx or Caddy and upload/,
      );
    }
  });

  it("cannot verify an HAProxy whose config is not uploaded, and says to upload it", async () => {
    const [m] = await tls({ ...proxyProps(), uploads: [] });
    expect(m).toMatch(
      /cannot be verified: no `uploads` entry holds haproxy\.cfg .+\. Fix: upload the rendered config/,
    );
  });
});
