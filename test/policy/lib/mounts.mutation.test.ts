/**
 * policy/lib/mounts.ts directly: every route by which a host path reaches a container, and the
 * verdict on each, including the preview cases (unknown lists, entries, drivers and options).
 * The rule tests reach these through whole containers; here each branch has its own case, and
 * each bad case differs from a good one by one field.
 */
import { describe, expect, it } from "vitest";
import { containerMounts, judgeMount, localBind } from "../../../policy/lib/mounts";
import { UNKNOWN } from "../../../policy/lib/unknown";

const bindOpts = (o: string, device = "/srv/data") => ({ type: "none", o, device });

describe("localBind: which local-driver volumes bind a host directory", () => {
  it.each([
    ["unset driver", undefined, bindOpts("bind"), { device: "/srv/data", readOnly: false }],
    ["null driver", null, bindOpts("bind"), { device: "/srv/data", readOnly: false }],
    ["empty driver", "", bindOpts("bind"), { device: "/srv/data", readOnly: false }],
    ["local driver", "local", bindOpts("rbind"), { device: "/srv/data", readOnly: false }],
    [
      "unknown driver (judged as local)",
      UNKNOWN,
      bindOpts("bind"),
      { device: "/srv/data", readOnly: false },
    ],
    [
      "ro among the options, with spaces",
      "local",
      bindOpts("bind, ro"),
      { device: "/srv/data", readOnly: true },
    ],
  ])("%s binds", (_n, driver, opts, want) => {
    expect(localBind(driver, opts)).toEqual(want);
  });

  it.each([
    ["another driver", "nfs", bindOpts("bind")],
    ["no bind in o", "local", bindOpts("size=10m")],
    ["o not a string", "local", { type: "none", o: 1, device: "/srv" }],
    ["options not an object", "local", "bind"],
    ["null options", "local", null],
  ])("%s binds nothing", (_n, driver, opts) => {
    expect(localBind(driver, opts)).toBeUndefined();
  });

  it("is unknown when the options or `o` are unknown at preview", () => {
    expect(localBind("local", UNKNOWN)).toBe("unknown");
    expect(localBind("local", { o: UNKNOWN, device: "/srv" })).toBe("unknown");
  });
});

describe("containerMounts: the routes", () => {
  it("reads a bind mount, an untyped mount and an unknown-typed mount as host mounts", () => {
    const r = containerMounts({
      mounts: [
        { type: "bind", source: "/a", target: "/x", readOnly: true },
        { source: "/b", target: "/y" },
        { type: UNKNOWN, source: "/c", target: "/z" },
      ],
    });
    expect(r.hostMounts).toEqual([
      { where: "mounts[0]", path: "/a", readOnly: true },
      { where: "mounts[1]", path: "/b", readOnly: undefined },
      { where: "mounts[2]", path: "/c", readOnly: undefined },
    ]);
    expect(r.volumeRefs).toEqual([]);
    expect(r.unknownFields).toEqual([]);
  });

  it("reads a volume mount whose local driver binds a directory as a host mount", () => {
    const mount = (readOnly: boolean, o: string) => ({
      type: "volume",
      target: "/data",
      readOnly,
      volumeOptions: { driverName: "local", driverOptions: bindOpts(o) },
    });
    expect(containerMounts({ mounts: [mount(false, "bind")] }).hostMounts).toEqual([
      { where: "mounts[0] (local volume driver bind)", path: "/srv/data", readOnly: false },
    ]);
    expect(containerMounts({ mounts: [mount(true, "bind")] }).hostMounts[0]?.readOnly).toBe(true);
    expect(containerMounts({ mounts: [mount(false, "bind,ro")] }).hostMounts[0]?.readOnly).toBe(
      true,
    );
  });

  it("reads unknown volume options as a host mount of unknown path", () => {
    const r = containerMounts({
      mounts: [{ type: "volume", volumeOptions: UNKNOWN, source: "v" }],
    });
    expect(r.hostMounts).toEqual([
      { where: "mounts[0] (volumeOptions)", path: UNKNOWN, readOnly: false },
    ]);
  });

  it("reads a named volume mount as a volume reference, and an empty source as nothing", () => {
    const named = containerMounts({
      mounts: [{ type: "volume", source: "data", target: "/d", readOnly: true }],
    });
    expect(named.volumeRefs).toEqual([
      { where: "mounts[0]", field: "mounts", name: "data", readOnly: true },
    ]);
    expect(named.hostMounts).toEqual([]);
    for (const source of ["", null, undefined])
      expect(containerMounts({ mounts: [{ type: "volume", source }] }).volumeRefs).toEqual([]);
  });

  it("ignores tmpfs mounts", () => {
    const r = containerMounts({ mounts: [{ type: "tmpfs", target: "/tmp" }] });
    expect([r.hostMounts, r.volumeRefs]).toEqual([[], []]);
  });

  it("reads volumes[] host paths and volume names, and skips empty ones", () => {
    const r = containerMounts({
      volumes: [
        { hostPath: "/h", containerPath: "/c", readOnly: true },
        { volumeName: "logs", containerPath: "/l" },
        { hostPath: "", volumeName: "", containerPath: "/e" },
        { hostPath: null, volumeName: null, containerPath: "/n" },
      ],
    });
    expect(r.hostMounts).toEqual([{ where: "volumes[0]", path: "/h", readOnly: true }]);
    expect(r.volumeRefs).toEqual([
      { where: "volumes[1]", field: "volumes", name: "logs", readOnly: undefined },
    ]);
  });

  it("reads devices with their cgroup permissions: without w the device is read-only", () => {
    const r = containerMounts({
      devices: [
        { hostPath: "/dev/sda", permissions: "r" },
        { hostPath: "/dev/sdb", permissions: "rwm" },
        { hostPath: "/dev/sdc" },
      ],
    });
    expect(r.hostMounts).toEqual([
      { where: "devices[0]", path: "/dev/sda", readOnly: true },
      { where: "devices[1]", path: "/dev/sdb", readOnly: false },
      { where: "devices[2]", path: "/dev/sdc", readOnly: false },
    ]);
  });

  it("keeps an unknown entry as a host mount of unknown path and readOnly", () => {
    const r = containerMounts({ mounts: [UNKNOWN], volumes: [UNKNOWN], devices: [UNKNOWN] });
    expect(r.hostMounts).toEqual([
      { where: "mounts[0]", path: UNKNOWN, readOnly: UNKNOWN },
      { where: "volumes[0]", path: UNKNOWN, readOnly: UNKNOWN },
      { where: "devices[0]", path: UNKNOWN, readOnly: false },
    ]);
  });

  it("names each whole list that is unknown at preview", () => {
    expect(
      containerMounts({ mounts: UNKNOWN, volumes: [], devices: UNKNOWN }).unknownFields,
    ).toEqual(["mounts", "devices"]);
    expect(containerMounts({ mounts: "not a list" }).hostMounts).toEqual([]);
  });
});

describe("judgeMount: the verdict on one host mount", () => {
  const label = 'container "api"';
  const at = (path: unknown, readOnly: unknown) => ({ where: "mounts[0]", path, readOnly });

  it("refuses a read-write /etc/passwd and says read-only would do", () => {
    expect(judgeMount(label, at("/etc/passwd", false), [])).toEqual([
      expect.stringMatching(
        /^container "api" mounts host path \/etc\/passwd read-write \(mounts\[0\]\): an attacker in the container gets .+\. Fix: set readOnly: true if reading is all it needs, or remove the mount\.$/,
      ),
    ]);
    expect(judgeMount(label, at("/etc/passwd", true), [])).toEqual([]);
  });

  it("refuses the Docker socket even read-only, and says to remove it", () => {
    const [m] = judgeMount(label, at("/var/run/docker.sock", true), []);
    expect(m).toContain("mounts host path /var/run/docker.sock read-only (mounts[0])");
    expect(m).toMatch(
      /Fix: remove the mount; use a named volume or `uploads` for the files it needs\.$/,
    );
  });

  it("refuses an extra sensitive path from the config, and only that one", () => {
    expect(judgeMount(label, at("/srv/secrets", true), ["/srv/secrets"])[0]).toContain(
      "listed in extraSensitivePaths",
    );
    expect(judgeMount(label, at("/srv/secrets", true), ["/srv/other"])).toEqual([]);
  });

  it("asks for a literal path when the path is unknown at preview", () => {
    const [m] = judgeMount(label, at(UNKNOWN, true), []);
    expect(m).toContain('The host path of mounts[0] of container "api"');
    expect(m).toContain("use a literal host path");
  });

  it("passes a path that is not a string (no host path at all)", () => {
    expect(judgeMount(label, at(undefined, false), [])).toEqual([]);
  });

  it("with readOnly unknown: refuses what is refused read-only, asks for a literal otherwise", () => {
    expect(judgeMount(label, at("/", UNKNOWN), [])[0]).toContain(
      "mounts host path / (readOnly unknown)",
    );
    const [m] = judgeMount(label, at("/etc/passwd", UNKNOWN), []);
    expect(m).toContain("`readOnly` of mounts[0] (host path /etc/passwd)");
    expect(m).toContain("set readOnly to a literal true");
    expect(judgeMount(label, at("/srv/app", UNKNOWN), [])).toEqual([]);
  });
});
