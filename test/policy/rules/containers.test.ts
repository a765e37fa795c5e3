import { describe, expect, it } from "vitest";
import {
  containerImagePinned,
  containerLogRotation,
  containerMemoryLimit,
  containerNoSensitiveMounts,
  containerNotPrivileged,
  containerRestartPolicy,
} from "../../../policy/rules/containers";
import { sensitiveHostPath } from "../../../policy/lib/host-paths";
import { UNKNOWN } from "../../../gate";
import { apiProps, redisProps, T } from "../corpus/base";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs as args,
} from "../util";

const C = T.container;
const dev = { config: { production: false } };
const api = (change: Record<string, unknown>): Record<string, unknown> => ({
  ...apiProps(),
  ...change,
});

describe("container-restart-policy", () => {
  it("passes unless-stopped, and an unset restart in dev", async () => {
    await assertNoResourceViolations(containerRestartPolicy, args(C, apiProps()));
    await assertNoResourceViolations(
      containerRestartPolicy,
      args(C, api({ restart: undefined }), dev),
    );
    await assertNoResourceViolations(
      containerRestartPolicy,
      args(C, api({ restart: "on-failure", maxRetryCount: 5 })),
    );
  });
  it("refuses no/unset in production and on-failure without a cap anywhere", async () => {
    await assertHasResourceViolation(
      containerRestartPolicy,
      args(C, api({ restart: undefined })),
      /unset/,
    );
    await assertHasResourceViolation(
      containerRestartPolicy,
      args(C, api({ restart: "no" })),
      /"no"/,
    );
    await assertHasResourceViolation(
      containerRestartPolicy,
      args(C, api({ restart: "on-failure", maxRetryCount: 0 }), dev),
      /maxRetryCount/,
    );
    await assertHasResourceViolation(
      containerRestartPolicy,
      args(C, api({ restart: UNKNOWN }), dev),
      /unknown at preview/,
    );
  });
});

describe("container-image-pinned", () => {
  it.each([
    "redis:7.4-alpine",
    "localhost:5000/app:1.2",
    "redis@sha256:" + "a".repeat(64),
    "sha256:" + "b".repeat(64),
  ])("passes %s", (image) => assertNoResourceViolations(containerImagePinned, args(C, { image })));
  it("defers an unknown image to unknown-value-provenance", () =>
    assertNoResourceViolations(containerImagePinned, args(C, { image: UNKNOWN })));
  it.each(["redis:latest", "redis", "myapp:latest", "localhost:5000/myapp"])(
    "refuses %s",
    (image) => assertHasResourceViolation(containerImagePinned, args(C, { image })),
  );
  it("honours configured floating tags", () =>
    assertHasResourceViolation(
      containerImagePinned,
      args(C, { image: "app:stable" }, { config: { floatingTags: ["latest", "stable"] } }),
      /:stable/,
    ));
});

describe("container-not-privileged", () => {
  it("passes the good containers", () =>
    assertNoResourceViolations(containerNotPrivileged, args(C, redisProps())));
  it.each([
    { privileged: true },
    { pidMode: "host" },
    { networkMode: "host" },
    { usernsMode: "host" },
    { capabilities: { adds: ["SYS_ADMIN"] } },
    { capabilities: { drops: ["ALL"], adds: ["SYS_MODULE"] } },
    { capabilities: { drops: ["ALL"], adds: ["cap_dac_read_search"] } },
    { capabilities: { drops: ["ALL"], adds: ["SYS_RAWIO"] } },
    { privileged: UNKNOWN },
    { networkMode: UNKNOWN },
  ])("refuses %j", (change) =>
    assertHasResourceViolation(containerNotPrivileged, args(C, api(change))),
  );
  it("says what an API on the host network reaches", () =>
    assertHasResourceViolation(
      containerNotPrivileged,
      args(C, api({ networkMode: "host" })),
      /every host interface.*loopback, a Redis published on 127\.0\.0\.1/,
    ));
  it("passes a narrow capability, and leaves a Redis network mode to redis-not-exposed", async () => {
    await assertNoResourceViolations(
      containerNotPrivileged,
      args(C, api({ capabilities: { drops: ["ALL"], adds: ["NET_BIND_SERVICE"] } })),
    );
    await assertNoResourceViolations(
      containerNotPrivileged,
      args(C, { ...redisProps(), networkMode: "host" }),
    );
  });
});

describe("container-no-sensitive-mounts", () => {
  it("classifies host paths", () => {
    expect(
      [
        "/",
        "/etc",
        "/var/run/docker.sock",
        "/run/containerd/containerd.sock",
        "/proc/1",
        "/root/.ssh",
        "/etc/../etc",
        "/var/lib/docker/volumes",
      ].every((p) => sensitiveHostPath(p)),
    ).toBe(true);
    expect(
      ["/srv/app", "/etc/localtime", "/home/app/data", "/dev/fuse"].some((p) =>
        sensitiveHostPath(p),
      ),
    ).toBe(false);
  });
  it("passes named volumes and harmless binds", () =>
    assertNoResourceViolations(
      containerNoSensitiveMounts,
      args(
        C,
        api({
          mounts: [
            { type: "volume", source: "data", target: "/data" },
            { type: "bind", source: "/etc/localtime", target: "/etc/localtime", readOnly: true },
          ],
        }),
      ),
    ));
  it("tells read-only from read-write", async () => {
    const vol = (hostPath: string, readOnly?: unknown) =>
      args(C, api({ volumes: [{ hostPath, containerPath: "/h", readOnly }] }));
    await assertNoResourceViolations(containerNoSensitiveMounts, vol("/var/log", true));
    await assertNoResourceViolations(containerNoSensitiveMounts, vol("/lib/modules", true));
    await assertHasResourceViolation(containerNoSensitiveMounts, vol("/var/log"), /read-write/);
    await assertHasResourceViolation(
      containerNoSensitiveMounts,
      vol("/etc/cron.d"),
      /cron runs as root/,
    );
    await assertHasResourceViolation(
      containerNoSensitiveMounts,
      vol("/etc/shadow", true),
      /read-only.*password hash/,
    );
    await assertHasResourceViolation(
      containerNoSensitiveMounts,
      vol("/var/run/docker.sock", true),
      /Docker socket/,
    );
    await assertHasResourceViolation(
      containerNoSensitiveMounts,
      vol("/etc/sudoers.d", UNKNOWN),
      /readOnly.*unknown at preview/,
    );
    await assertHasResourceViolation(
      containerNoSensitiveMounts,
      args(
        C,
        api({
          mounts: [{ type: "bind", source: "/home/deploy/.ssh", target: "/k", readOnly: true }],
        }),
      ),
      /SSH private keys/,
    );
  });
  it("sees a local-driver bind declared inline in a volume mount", () =>
    assertHasResourceViolation(
      containerNoSensitiveMounts,
      args(
        C,
        api({
          mounts: [
            {
              type: "volume",
              target: "/host",
              volumeOptions: { driverOptions: { type: "none", o: "bind", device: "/" } },
            },
          ],
        }),
      ),
      /host path \/ read-write \(mounts\[0\] \(local volume driver bind\)\)/,
    ));
  it("refuses the Docker socket, / and configured extra paths", async () => {
    await assertHasResourceViolation(
      containerNoSensitiveMounts,
      args(C, api({ mounts: [{ type: "bind", source: "/var/run/docker.sock", target: "/s" }] })),
      /Docker socket/,
    );
    await assertHasResourceViolation(
      containerNoSensitiveMounts,
      args(C, api({ volumes: [{ hostPath: "/", containerPath: "/host" }] })),
    );
    await assertHasResourceViolation(
      containerNoSensitiveMounts,
      args(C, api({ volumes: [{ hostPath: "/srv/secrets", containerPath: "/s" }] }), {
        config: { extraSensitivePaths: ["/srv/secrets"] },
      }),
    );
  });
});

describe("container-memory-limit", () => {
  it("passes a limit, and no limit in dev", async () => {
    await assertNoResourceViolations(containerMemoryLimit, args(C, apiProps()));
    await assertNoResourceViolations(
      containerMemoryLimit,
      args(C, api({ memory: undefined }), dev),
    );
  });
  it("refuses no limit in production", () =>
    assertHasResourceViolation(
      containerMemoryLimit,
      args(C, api({ memory: 0 })),
      /no memory limit/,
    ));
});

describe("container-log-rotation", () => {
  it("passes rotation, the local driver and journald", async () => {
    await assertNoResourceViolations(containerLogRotation, args(C, apiProps()));
    await assertNoResourceViolations(
      containerLogRotation,
      args(C, api({ logOpts: undefined, logDriver: "local" })),
    );
  });
  it("refuses json-file (or unset) without max-size/max-file", async () => {
    await assertHasResourceViolation(
      containerLogRotation,
      args(C, api({ logOpts: undefined })),
      /max-size and max-file/,
    );
    await assertHasResourceViolation(
      containerLogRotation,
      args(C, api({ logDriver: "json-file", logOpts: { "max-size": "10m" } })),
      /max-file/,
    );
  });
});
