/**
 * The stack rules on docker.Volume binds (policy/rules/hardening.ts): a local-driver volume
 * that binds a host directory, met by the container that mounts it by name or, at preview, by
 * dependency; the same volume left unmounted; and the read-only review list. Each bad stack
 * differs from a good one by one field of the volume or the mount.
 */
import { describe, expect, it } from "vitest";
import { VOLUME } from "../../../policy/lib/types";
import { UNKNOWN } from "../../../policy/lib/unknown";
import { analyzeCase, type Record_ } from "../corpus/analyze";
import { apiProps, res, T } from "../corpus/base";

type P = Record<string, unknown>;
const volume = (driverOpts: unknown, extra: P = {}) =>
  res(VOLUME, "host-data", { name: "host-data", driver: "local", driverOpts, ...extra });
const bind = (device: string, o = "bind") => ({ type: "none", o, device });
const container = (volumes: P[], deps?: Record<string, string[]>, name = "api") =>
  res(T.container, name, { ...apiProps(), volumes }, deps ? { propertyDependencies: deps } : {});
const judge = async (policy: string, stack: Record_[]) =>
  (await analyzeCase({ stack }, new Set([policy]))).map((f) => f.message.split("\n")[1] ?? "");

const SENSITIVE = "container-no-sensitive-volume-binds";
const REVIEW = "container-read-only-host-mounts";

describe("container-no-sensitive-volume-binds", () => {
  it("refuses a container mounting, by name, a volume that binds /etc read-write", async () => {
    const [m] = await judge(SENSITIVE, [
      volume(bind("/etc")),
      container([{ volumeName: "host-data", containerPath: "/x" }]),
    ]);
    expect(m).toContain(
      'mounts host path /etc read-write (volumes[0] (volume "host-data", a local-driver bind))',
    );
  });

  it("passes the same container when the volume binds the application's own directory", async () => {
    expect(
      await judge(SENSITIVE, [
        volume(bind("/srv/app")),
        container([{ volumeName: "host-data", containerPath: "/x" }]),
      ]),
    ).toEqual([]);
  });

  it("judges read-only when the volume's o holds ro or the mount is read-only", async () => {
    const roMount = [{ volumeName: "host-data", containerPath: "/x", readOnly: true }];
    expect(await judge(SENSITIVE, [volume(bind("/etc/passwd")), container(roMount)])).toEqual([]);
    expect(
      await judge(SENSITIVE, [
        volume(bind("/etc/passwd", "bind,ro")),
        container([{ volumeName: "host-data", containerPath: "/x" }]),
      ]),
    ).toEqual([]);
    expect(
      await judge(SENSITIVE, [
        volume(bind("/etc/passwd")),
        container([{ volumeName: "host-data", containerPath: "/x" }]),
      ]),
    ).toHaveLength(1);
  });

  it("at preview finds the volume through the container's dependencies when the name is unknown", async () => {
    const v = volume(bind("/etc"));
    const mount = [{ volumeName: UNKNOWN, containerPath: "/x" }];
    expect(await judge(SENSITIVE, [v, container(mount, { volumes: [v.urn] })])).toHaveLength(1);
    // Without the dependency the volume is unmounted, and judged on its own.
    expect((await judge(SENSITIVE, [v, container(mount)]))[0]).toContain(
      'volume "host-data" binds host path /etc (driverOpts o: bind)',
    );
  });

  it("refuses an unmounted volume binding a sensitive path, naming it for `docker run -v`", async () => {
    const [m] = await judge(SENSITIVE, [volume(bind("/"))]);
    expect(m).toContain(
      "any container on the host can mount it by name (docker run -v host-data:/x)",
    );
    expect(await judge(SENSITIVE, [volume(bind("/srv/app"))])).toEqual([]);
    expect(
      await judge(SENSITIVE, [volume({ type: "tmpfs", o: "size=10m", device: "tmpfs" })]),
    ).toEqual([]);
  });

  it("asks for literal driverOpts when they are unknown, for an unmounted volume", async () => {
    const [m] = await judge(SENSITIVE, [volume(UNKNOWN)]);
    expect(m).toContain("set driver and driverOpts as literals");
    expect((await judge(SENSITIVE, [volume(bind(UNKNOWN as unknown as string))]))[0]).toContain(
      "set driver and driverOpts as literals",
    );
  });

  it("passes a volume of another driver, and a device that is not a string", async () => {
    expect(await judge(SENSITIVE, [volume(bind("/etc"), { driver: "nfs" })])).toEqual([]);
    expect(await judge(SENSITIVE, [volume({ type: "none", o: "bind", device: 7 })])).toEqual([]);
  });
});

describe("container-read-only-host-mounts (advisory review)", () => {
  it("reports /var/log mounted read-only, directly or through a volume, and not read-write", async () => {
    const direct = (readOnly: boolean) =>
      container([{ hostPath: "/var/log", containerPath: "/logs", readOnly }]);
    expect((await judge(REVIEW, [direct(true)]))[0]).toContain(
      "mounts host path /var/log read-only (volumes[0]): it can read",
    );
    expect(await judge(REVIEW, [direct(false)])).toEqual([]);
    const viaVolume = [
      volume(bind("/var/log", "bind,ro")),
      container([{ volumeName: "host-data", containerPath: "/logs" }]),
    ];
    expect(await judge(REVIEW, viaVolume)).toHaveLength(1);
  });

  it("passes a read-only mount of a path that needs no review", async () => {
    expect(
      await judge(REVIEW, [
        container([{ hostPath: "/srv/app", containerPath: "/a", readOnly: true }]),
      ]),
    ).toEqual([]);
  });
});
