/**
 * rules/monitoring.ts: metrics ports stay unpublished (loopback only outside production), and a
 * production stack runs Prometheus and Alertmanager. Each bad case differs from a good one by
 * one setting.
 */
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../gate";
import {
  dockerStackMonitored,
  metricsPortsNotPublished,
  metricsRole,
} from "../../../policy/rules/monitoring";
import { T } from "../corpus/base";
import {
  assertHasResourceViolation,
  assertHasStackViolation,
  assertNoResourceViolations,
  assertNoStackViolations,
  createResourceValidationArgs as args,
  createStackValidationArgs,
} from "../util";

type Props = Record<string, unknown>;
const C = T.container;
const dev = { config: { production: false } };

const prometheus = (ports: unknown[] = []): Props => ({
  image: "prom/prometheus:v2.53.3",
  ports,
});
const api = (ports: unknown[] = []): Props => ({ image: "ghcr.io/acme/api:1.4.2", ports });

describe("metricsRole", () => {
  it.each([
    ["prom/prometheus:v2.53.3", "prometheus"],
    ["quay.io/prometheus/alertmanager:v0.28.1", "alertmanager"],
    ["oliver006/redis_exporter:v1.69.0-alpine", "exporter"],
    ["prom/pushgateway:v1.9.0", "exporter"],
    ["ghcr.io/acme/api:1.4.2", undefined],
    ["haproxy:3.0.11", undefined],
  ])("%s is %s", (image, role) => expect(metricsRole(image)).toBe(role));
});

describe("metrics-ports-not-published", () => {
  it("passes Prometheus with no port, and on loopback in development", async () => {
    await assertNoResourceViolations(metricsPortsNotPublished, args(C, prometheus()));
    await assertNoResourceViolations(
      metricsPortsNotPublished,
      args(C, prometheus([{ internal: 9090, external: 9090, ip: "127.0.0.1" }]), dev),
    );
  });

  it("refuses the same loopback port in production", async () => {
    await assertHasResourceViolation(
      metricsPortsNotPublished,
      args(C, prometheus([{ internal: 9090, external: 9090, ip: "127.0.0.1" }])),
      /publishes prometheus .* in a production stack/,
    );
  });

  it("refuses 0.0.0.0 in development", async () => {
    await assertHasResourceViolation(
      metricsPortsNotPublished,
      args(C, prometheus([{ internal: 9090, external: 9090, ip: "0.0.0.0" }]), dev),
      /on 0\.0\.0\.0: anyone who reaches the host/,
    );
  });

  it("refuses a metrics port of any image, but not the same image's other port", async () => {
    await assertHasResourceViolation(
      metricsPortsNotPublished,
      args(C, api([{ internal: 9464, external: 9464, ip: "0.0.0.0" }]), dev),
      /metrics port 9464/,
    );
    await assertNoResourceViolations(
      metricsPortsNotPublished,
      args(C, api([{ internal: 3003, external: 3003, ip: "0.0.0.0" }]), dev),
    );
  });

  it("does not go silent when a metrics image's ports are unknown at preview", async () => {
    await assertHasResourceViolation(
      metricsPortsNotPublished,
      args(C, { image: "prom/alertmanager:v0.28.1", ports: UNKNOWN }),
      /unknown/i,
    );
    await assertNoResourceViolations(
      metricsPortsNotPublished,
      args(C, { image: "ghcr.io/acme/api:1.4.2", ports: UNKNOWN }),
    );
  });
});

describe("docker-stack-monitored", () => {
  // The first container publishes the API's port: the stack serves traffic.
  const stack = (images: string[], config: Props = {}, ports = [{ internal: 3003 }]) =>
    createStackValidationArgs(
      images.map((image, i) => ({
        type: C,
        name: `c${i}`,
        props: { image, ports: i === 0 ? ports : [] },
      })),
      config,
    );
  const full = [
    "ghcr.io/acme/api:1.4.2",
    "redis:7.4-alpine",
    "prom/prometheus:v2.53.3",
    "prom/alertmanager:v0.28.1",
  ];

  it("passes a production stack with Prometheus and Alertmanager", async () => {
    await assertNoStackViolations(dockerStackMonitored, stack(full));
  });

  it.each(["prom/prometheus:v2.53.3", "prom/alertmanager:v0.28.1"])(
    "advises when %s is missing",
    async (gone) => {
      await assertHasStackViolation(
        dockerStackMonitored,
        stack(full.filter((i) => i !== gone)),
        /serves traffic from 3 container\(s\) but runs no (prometheus|alertmanager)/,
      );
    },
  );

  it("says nothing when no container publishes a port: nothing is served", async () => {
    await assertNoStackViolations(dockerStackMonitored, stack(full.slice(0, 2), {}, []));
  });

  it("says nothing in development", async () => {
    await assertNoStackViolations(
      dockerStackMonitored,
      stack(full.slice(0, 2), { production: false }),
    );
  });

  it("is advisory by design", () => {
    expect(dockerStackMonitored.enforcementLevel).toBe("advisory");
  });
});
