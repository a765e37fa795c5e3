import { describe, expect, it } from "vitest";
import { capName, dropsAll, escapeCapabilities } from "../../../policy/lib/capabilities";
import { judgeHostPath, SENSITIVE_HOST_PATHS } from "../../../policy/lib/host-paths";
import { containerMounts, localBind } from "../../../policy/lib/mounts";
import { parseSecurityOpts } from "../../../policy/lib/security-opts";
import {
  containerDropsAllCapabilities,
  containerNoNewPrivileges,
  containerNoSensitiveVolumeBinds,
  containerNoUnconfinedProfiles,
  containerReadOnlyHostMounts,
} from "../../../policy/rules/hardening";
import { UNKNOWN } from "../../../gate";
import { apiProps, redisProps, T } from "../corpus/base";
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs as args,
  createStackValidationArgs,
  runStackPolicy,
} from "../util";

const C = T.container;
const V = "docker:index/volume:Volume";
const api = (change: Record<string, unknown>): Record<string, unknown> => ({
  ...apiProps(),
  ...change,
});

describe("parseSecurityOpts (moby daemon_unix.go parseSecurityOpt)", () => {
  it.each([
    [["no-new-privileges"], true],
    [["no-new-privileges:true"], true],
    [["no-new-privileges=1"], true],
    [["no-new-privileges=True"], true],
    [["no-new-privileges:false"], false],
    [["no-new-privileges=true", "no-new-privileges=false"], false],
    [["no-new-privileges=yes"], undefined],
    [[], undefined],
  ])("%j -> %s", (opts, want) => expect(parseSecurityOpts(opts).noNewPrivileges).toBe(want));
  it("reads profiles with either separator, the last one winning", () => {
    expect(parseSecurityOpts(["seccomp=unconfined"]).seccomp).toBe("unconfined");
    expect(parseSecurityOpts(["apparmor:unconfined"]).apparmor).toBe("unconfined");
    expect(parseSecurityOpts(["apparmor=unconfined", "apparmor=docker-default"]).apparmor).toBe(
      "docker-default",
    );
    expect(parseSecurityOpts(["label=disable"]).labelDisabled).toBe(true);
    expect(parseSecurityOpts(["disable"]).labelDisabled).toBe(true);
    expect(parseSecurityOpts(["label=type:svirt_apache_t"]).labelDisabled).toBe(false);
  });
});

describe("capabilities (capabilities(7))", () => {
  it("normalizes names as Docker does", () => {
    expect(["cap_sys_admin", "CAP_SYS_ADMIN", "sys_admin"].map(capName)).toEqual([
      "SYS_ADMIN",
      "SYS_ADMIN",
      "SYS_ADMIN",
    ]);
    expect(dropsAll(["all"])).toBe(true);
    expect(dropsAll(["NET_RAW"])).toBe(false);
    expect(dropsAll(undefined)).toBe(false);
  });
  it("lists escapes and leaves narrow capabilities alone", () => {
    expect(
      escapeCapabilities([
        "SYS_MODULE",
        "cap_dac_read_search",
        "SYS_RAWIO",
        "SYS_BOOT",
        "BPF",
        "NET_BIND_SERVICE",
        "CHOWN",
        "SETUID",
      ]).map((c) => c.name),
    ).toEqual(["SYS_MODULE", "cap_dac_read_search", "SYS_RAWIO", "SYS_BOOT", "BPF"]);
  });
});

describe("host paths: read-only vs read-write", () => {
  it("every entry says why for both modes", () => {
    for (const e of SENSITIVE_HOST_PATHS) {
      expect(e.readWrite.length, e.path).toBeGreaterThan(10);
      expect(e.readOnlyWhy.length, e.path).toBeGreaterThan(5);
    }
  });
  it.each([
    ["/etc/shadow", true, "refuse"],
    ["/etc/cron.d", false, "refuse"],
    ["/etc/cron.d", true, "review"],
    ["/etc/sudoers.d/app", false, "refuse"],
    ["/var/log", true, "review"],
    ["/var/log/nginx", false, "refuse"],
    ["/lib/modules", true, "review"],
    ["/lib/modules", false, "refuse"],
    ["/home/deploy/.ssh", true, "refuse"],
    ["/root/.ssh", true, "refuse"],
    ["/var/lib/kubelet", true, "refuse"],
    ["/var/lib", true, "refuse"],
    ["/var/run/docker.sock", true, "refuse"],
    ["/etc/passwd", false, "refuse"],
    ["/usr/local/bin", false, "refuse"],
  ] as const)("%s readOnly=%s -> %s", (path, ro, level) =>
    expect(judgeHostPath(path, ro)?.level).toBe(level),
  );
  it.each([
    ["/etc/passwd", true],
    ["/etc/localtime", true],
    ["/etc/localtime", false],
    ["/srv/app", false],
    ["/home/app/data", false],
    ["/usr/local/bin", true],
  ] as const)("%s readOnly=%s is harmless", (path, ro) =>
    expect(judgeHostPath(path, ro)).toBeUndefined(),
  );
});

describe("mounts: every route of a host path", () => {
  it("reads local-driver binds, inline and named", () => {
    expect(localBind(undefined, { type: "none", o: "bind", device: "/" })).toEqual({
      device: "/",
      readOnly: false,
    });
    expect(localBind("local", { type: "none", o: "bind,ro", device: "/var/log" })).toEqual({
      device: "/var/log",
      readOnly: true,
    });
    expect(localBind(UNKNOWN, { o: "rbind", device: "/etc" })).toMatchObject({ device: "/etc" });
    expect(localBind("rexray", { o: "bind", device: "/" })).toBeUndefined();
    expect(localBind(undefined, { type: "tmpfs", device: "tmpfs", o: "size=100m" })).toBe(
      undefined,
    );
    expect(localBind(undefined, UNKNOWN)).toBe("unknown");
    const m = containerMounts({
      mounts: [
        {
          type: "volume",
          target: "/host",
          volumeOptions: { driverOptions: { type: "none", o: "bind", device: "/" } },
        },
        { type: "volume", target: "/data", source: "data" },
        { type: "tmpfs", target: "/tmp" },
      ],
      volumes: [{ volumeName: "logs", containerPath: "/logs", readOnly: true }],
      devices: [{ hostPath: "/dev/mem", permissions: "r" }],
    });
    expect(m.hostMounts.map((h) => [h.path, h.readOnly])).toEqual([
      ["/", false],
      ["/dev/mem", true],
    ]);
    expect(m.volumeRefs.map((r) => r.name)).toEqual(["data", "logs"]);
  });
});

describe("container-no-new-privileges", () => {
  it("passes our containers and the bare option", async () => {
    await assertNoResourceViolations(containerNoNewPrivileges, args(C, apiProps()));
    await assertNoResourceViolations(containerNoNewPrivileges, args(C, redisProps()));
    await assertNoResourceViolations(
      containerNoNewPrivileges,
      args(C, api({ securityOpts: ["no-new-privileges"] })),
    );
  });
  it.each([
    [{ securityOpts: undefined }, /does not set no-new-privileges/],
    [{ securityOpts: ["no-new-privileges:false"] }, /sets no-new-privileges to false/],
    [{ securityOpts: ["no-new-privileges:true", "no-new-privileges=false"] }, /to false/],
    [{ securityOpts: UNKNOWN }, /unknown at preview/],
  ])("refuses %j", (change, msg) =>
    assertHasResourceViolation(containerNoNewPrivileges, args(C, api(change)), msg),
  );
});

describe("container-no-unconfined-profiles", () => {
  it("passes the defaults and a named profile", async () => {
    await assertNoResourceViolations(containerNoUnconfinedProfiles, args(C, apiProps()));
    await assertNoResourceViolations(
      containerNoUnconfinedProfiles,
      args(C, api({ securityOpts: ["no-new-privileges:true", "apparmor=docker-default"] })),
    );
  });
  it.each([
    ["seccomp=unconfined", /seccomp=unconfined/],
    ["seccomp:unconfined", /seccomp=unconfined/],
    ["apparmor=unconfined", /apparmor=unconfined/],
    ["label=disable", /label=disable/],
  ])("refuses %s", (opt, msg) =>
    assertHasResourceViolation(
      containerNoUnconfinedProfiles,
      args(C, api({ securityOpts: ["no-new-privileges:true", opt] })),
      msg,
    ),
  );
});

describe("container-drops-all-capabilities", () => {
  it("passes drops [ALL] with a narrow add, in any spelling", async () => {
    await assertNoResourceViolations(containerDropsAllCapabilities, args(C, apiProps()));
    await assertNoResourceViolations(
      containerDropsAllCapabilities,
      args(C, api({ capabilities: { drops: ["cap_all"], adds: ["NET_BIND_SERVICE"] } })),
    );
  });
  it.each([
    { capabilities: undefined },
    { capabilities: { drops: ["NET_RAW"] } },
    { capabilities: UNKNOWN },
  ])("refuses %j", (change) =>
    assertHasResourceViolation(containerDropsAllCapabilities, args(C, api(change))),
  );
});

function stackWith(
  volume: Record<string, unknown>,
  containerVolumes: unknown[],
  opts: { deps?: boolean } = {},
) {
  return createStackValidationArgs([
    { type: V, name: "hostvol", props: volume },
    {
      type: C,
      name: "api",
      props: api({ volumes: containerVolumes }),
      propertyDependencies: opts.deps ? { volumes: ["hostvol"] } : {},
    },
  ]);
}

describe("container-no-sensitive-volume-binds", () => {
  const bindRoot = {
    name: "hostroot",
    driver: "local",
    driverOpts: { type: "none", o: "bind", device: "/" },
  };
  it("refuses a bind volume of / mounted by name", async () => {
    const vs = await runStackPolicy(
      containerNoSensitiveVolumeBinds,
      stackWith(bindRoot, [{ volumeName: "hostroot", containerPath: "/host" }]),
    );
    expect(vs.map((v) => v.message).join("\n")).toMatch(
      /mounts host path \/ read-write \(volumes\[0\] \(volume "hostvol", a local-driver bind\)\)/,
    );
  });
  it("links an unknown volume name through propertyDependencies", async () => {
    const vs = await runStackPolicy(
      containerNoSensitiveVolumeBinds,
      stackWith(
        {
          ...bindRoot,
          name: UNKNOWN,
          driver: UNKNOWN,
          driverOpts: { ...bindRoot.driverOpts, device: "/var/run" },
        },
        [{ volumeName: UNKNOWN, containerPath: "/run/host" }],
        { deps: true },
      ),
    );
    expect(vs.map((v) => v.message).join("\n")).toMatch(/host path \/var\/run/);
  });
  it("refuses an unmounted bind volume of a sensitive path, and unknown options", async () => {
    const alone = await runStackPolicy(containerNoSensitiveVolumeBinds, stackWith(bindRoot, []));
    expect(alone.map((v) => v.message).join("\n")).toMatch(
      /any container on the host can mount it/,
    );
    const unknown = await runStackPolicy(
      containerNoSensitiveVolumeBinds,
      stackWith({ name: "x", driverOpts: UNKNOWN }, []),
    );
    expect(unknown.map((v) => v.message).join("\n")).toMatch(/unknown at preview/);
  });
  it("passes a plain named volume, an app directory, and a read-only log bind", async () => {
    for (const [vol, mount] of [
      [{ name: "data" }, { volumeName: "data", containerPath: "/data" }],
      [
        { name: "app", driverOpts: { type: "none", o: "bind", device: "/srv/app" } },
        { volumeName: "app", containerPath: "/app" },
      ],
      [
        { name: "logs", driverOpts: { type: "none", o: "bind", device: "/var/log" } },
        { volumeName: "logs", containerPath: "/logs", readOnly: true },
      ],
    ] as const) {
      expect(
        await runStackPolicy(containerNoSensitiveVolumeBinds, stackWith(vol, [mount])),
      ).toEqual([]);
    }
  });
});

describe("container-read-only-host-mounts (advisory)", () => {
  it("reports read-only /var/log, by hostPath and by volume, not read-write or harmless", async () => {
    const direct = await runStackPolicy(
      containerReadOnlyHostMounts,
      createStackValidationArgs([
        {
          type: C,
          name: "shipper",
          props: api({
            volumes: [{ hostPath: "/var/log", containerPath: "/logs", readOnly: true }],
          }),
        },
      ]),
    );
    expect(direct.map((v) => v.message).join("\n")).toMatch(/\/var\/log read-only/);
    const viaVolume = await runStackPolicy(
      containerReadOnlyHostMounts,
      stackWith({ name: "logs", driverOpts: { type: "none", o: "bind,ro", device: "/var/log" } }, [
        { volumeName: "logs", containerPath: "/logs" },
      ]),
    );
    expect(viaVolume).toHaveLength(1);
    const harmless = await runStackPolicy(
      containerReadOnlyHostMounts,
      createStackValidationArgs([
        {
          type: C,
          name: "api",
          props: api({
            volumes: [
              { hostPath: "/etc/localtime", containerPath: "/etc/localtime", readOnly: true },
            ],
          }),
        },
      ]),
    );
    expect(harmless).toEqual([]);
  });
});
