/**
 * Container hardening (#11): the single-mistake variants a peer's compose suite checks. Each
 * bad case changes exactly one setting of a compliant stack, its `twin`, which must pass clean
 * (corpus-twins.test.ts checks both). Sources for each belief are in the rules they hit:
 * policy/rules/hardening.ts, containers.ts, and policy/lib/{capabilities,host-paths,mounts}.ts.
 */
import { ResourceRecord, UNKNOWN } from "../../../gate";
import { apiContainer, apiProps, dockerStack, res } from "./base";
import { BadCase, GoodCase, withApi, withRedis } from "./types";

export const VOLUME_T = "docker:index/volume:Volume";

export interface TwinCase extends BadCase {
  /** The compliant stack this case changes by one setting. */
  readonly twin: readonly ResourceRecord[];
  readonly twinOutputs?: readonly ResourceRecord[];
}

type Props = Record<string, unknown>;
type Expect = BadCase["expect"];

const NNP = "no-new-privileges:true";

function api(name: string, lesson: string, mutate: (p: Props) => void, expect: Expect): TwinCase {
  return { name, lesson, stack: withApi(mutate), twin: dockerStack(), expect };
}

function redis(name: string, lesson: string, mutate: (p: Props) => void, expect: Expect): TwinCase {
  return { name, lesson, stack: withRedis(mutate), twin: dockerStack(), expect };
}

/** The API mounting a local-driver volume that binds `device`, linked by name (or, at
 * preview, only by propertyDependencies when the volume's name and driver are unknown). */
export function withBindVolume(
  device: string,
  opts: { preview?: boolean; o?: string; readOnly?: boolean } = {},
): ResourceRecord[] {
  const name = opts.preview ? UNKNOWN : "api-stack-prod-hostdata";
  const volume = res(VOLUME_T, "hostdata", {
    name,
    driver: opts.preview ? UNKNOWN : "local",
    driverOpts: { type: "none", o: opts.o ?? "bind", device },
  });
  const p = apiProps();
  p.volumes = [
    {
      volumeName: name,
      containerPath: "/data",
      ...(opts.readOnly ? { readOnly: true } : {}),
    },
  ];
  const base = apiContainer(p);
  const container: ResourceRecord = {
    ...base,
    dependencies: [...(base.dependencies ?? []), volume.urn],
    propertyDependencies: { ...base.propertyDependencies, volumes: [volume.urn] },
  };
  return [volume, ...dockerStack({ api: container })];
}

const APP_DIR = "/srv/api-stack/uploads";

function bindVolume(
  name: string,
  lesson: string,
  device: string,
  expect: Expect,
  opts: { preview?: boolean } = {},
): TwinCase {
  return {
    name,
    lesson,
    stack: withBindVolume(device, opts),
    twin: withBindVolume(APP_DIR, opts),
    expect,
  };
}

const hostVolume = (hostPath: string, readOnly?: boolean) => (p: Props) => {
  p.volumes = [{ hostPath, containerPath: "/host", ...(readOnly ? { readOnly: true } : {}) }];
};
const adds = (cap: string) => (p: Props) => {
  p.capabilities = { drops: ["ALL"], adds: [cap] };
};
const opts =
  (...extra: string[]) =>
  (p: Props) => {
    p.securityOpts = [NNP, ...extra];
  };

const NNP_RULE = "container-no-new-privileges";
const PROFILES = "container-no-unconfined-profiles";
const PRIV = "container-not-privileged";
const DROPS = "container-drops-all-capabilities";
const MOUNTS = "container-no-sensitive-mounts";
const VOLUMES = "container-no-sensitive-volume-binds";

export const hardeningCases: TwinCase[] = [
  // Privilege escalation.
  api(
    "API with no-new-privileges:false",
    "a setuid helper in the image gave an RCE root again",
    (p) => {
      p.securityOpts = ["no-new-privileges:false"];
    },
    [{ policy: NNP_RULE, message: /sets no-new-privileges to false.*setuid-root/ }],
  ),
  api(
    "API with no securityOpts at all",
    "copied from a compose file that never set it",
    (p) => {
      delete p.securityOpts;
    },
    [{ policy: NNP_RULE, message: /does not set no-new-privileges/ }],
  ),
  redis(
    "Redis with an empty securityOpts",
    "a refactor emptied the list",
    (p) => {
      p.securityOpts = [];
    },
    [{ policy: NNP_RULE }],
  ),
  api(
    "API with no-new-privileges=true then =false (the last one wins)",
    "a second option appended by an overlay undid the first",
    (p) => {
      p.securityOpts = ["no-new-privileges=true", "no-new-privileges=false"];
    },
    [{ policy: NNP_RULE, message: /to false/ }],
  ),
  // Kernel isolation.
  api(
    "API with seccomp=unconfined",
    "turned off to debug an strace and never turned back on",
    opts("seccomp=unconfined"),
    [{ policy: PROFILES, message: /seccomp=unconfined.*root on the host/s }],
  ),
  api("API with apparmor=unconfined", "a peer suite's classic", opts("apparmor=unconfined"), [
    { policy: PROFILES, message: /apparmor=unconfined/ },
  ]),
  redis(
    "Redis with seccomp:unconfined (deprecated separator)",
    "the old `:` spelling the daemon still accepts",
    opts("seccomp:unconfined"),
    [{ policy: PROFILES, message: /seccomp=unconfined/ }],
  ),
  api(
    "API with label=disable",
    "SELinux separation off on an SELinux host",
    opts("label=disable"),
    [{ policy: PROFILES, message: /label=disable/ }],
  ),
  // Capabilities (capabilities(7)).
  api("API adds SYS_MODULE", "kernel module loading is host root", adds("SYS_MODULE"), [
    { policy: PRIV, message: /SYS_MODULE \(init_module/ },
  ]),
  api(
    "API adds DAC_READ_SEARCH",
    "open_by_handle_at: the shocker escape",
    adds("DAC_READ_SEARCH"),
    [{ policy: PRIV, message: /open_by_handle_at/ }],
  ),
  api("API adds SYS_RAWIO", "raw I/O ports and /dev/mem", adds("SYS_RAWIO"), [
    { policy: PRIV, message: /SYS_RAWIO/ },
  ]),
  api("API adds SYS_BOOT", "reboot and kexec the host", adds("SYS_BOOT"), [
    { policy: PRIV, message: /kexec_load/ },
  ]),
  api("API adds BPF", "privileged BPF reads kernel memory", adds("BPF"), [
    { policy: PRIV, message: /BPF/ },
  ]),
  api(
    "API adds cap_sys_ptrace (lower case, CAP_ prefix)",
    "Docker normalizes the spelling; so must the pack",
    adds("cap_sys_ptrace"),
    [{ policy: PRIV, message: /cap_sys_ptrace/ }],
  ),
  api(
    "API adds MAC_ADMIN",
    "the container could rewrite its own AppArmor profile",
    adds("MAC_ADMIN"),
    [{ policy: PRIV, message: /MAC_ADMIN/ }],
  ),
  redis("Redis adds SYS_ADMIN", "Redis needs no capability at all", adds("SYS_ADMIN"), [
    { policy: PRIV, message: /SYS_ADMIN/ },
  ]),
  api(
    "API without capabilities (Docker's default set)",
    "NET_RAW let a compromised API ARP-spoof the bridge",
    (p) => {
      delete p.capabilities;
    },
    [{ policy: DROPS, message: /keeps Docker's default capabilities/ }],
  ),
  redis(
    'Redis dropping only NET_RAW instead of ["ALL"]',
    "a partial drop list keeps the rest of the default set",
    (p) => {
      p.capabilities = { drops: ["NET_RAW"] };
    },
    [{ policy: DROPS }],
  ),
  // Host namespaces.
  api(
    "API with networkMode host",
    "it listened on every interface and reached Redis on the host's 127.0.0.1",
    (p) => {
      p.networkMode = "host";
    },
    [{ policy: PRIV, message: /networkMode "host": it listens on every host interface/ }],
  ),
  api(
    "API with usernsMode host",
    "opted out of userns-remap: container root was host root",
    (p) => {
      p.usernsMode = "host";
    },
    [{ policy: PRIV, message: /usernsMode "host"/ }],
  ),
  api(
    "API with pidMode host",
    "it could signal every host process",
    (p) => {
      p.pidMode = "host";
    },
    [{ policy: PRIV, message: /pidMode "host"/ }],
  ),
  api(
    "API with ipcMode host",
    "host shared memory readable",
    (p) => {
      p.ipcMode = "host";
    },
    [{ policy: PRIV, message: /ipcMode "host"/ }],
  ),
  // Sensitive host paths, read-only and read-write.
  api(
    "API mounting /etc/shadow read-only",
    "password hashes cracked offline",
    hostVolume("/etc/shadow", true),
    [{ policy: MOUNTS, message: /\/etc\/shadow read-only.*password hash/ }],
  ),
  api(
    "API mounting /etc/cron.d read-write",
    "a cron job as root on the host",
    hostVolume("/etc/cron.d"),
    [{ policy: MOUNTS, message: /\/etc\/cron\.d read-write.*cron runs as root/ }],
  ),
  api(
    "API mounting /etc/sudoers.d read-write",
    "passwordless sudo for any user",
    hostVolume("/etc/sudoers.d"),
    [{ policy: MOUNTS, message: /sudoers/ }],
  ),
  api(
    "API bind-mounting /lib/modules read-write",
    "a planted module the next modprobe loads",
    (p) => {
      p.mounts = [{ type: "bind", source: "/lib/modules", target: "/lib/modules" }];
    },
    [{ policy: MOUNTS, message: /kernel module/ }],
  ),
  api(
    "API mounting a user's ~/.ssh read-only",
    "the deploy key left the host",
    hostVolume("/home/deploy/.ssh", true),
    [{ policy: MOUNTS, message: /SSH private keys/ }],
  ),
  api(
    "API mounting /var/lib/kubelet read-only",
    "every pod's service-account token on the node",
    hostVolume("/var/lib/kubelet", true),
    [{ policy: MOUNTS, message: /service-account token/ }],
  ),
  api(
    "API mounting /var/log read-write",
    "an intruder erased the auth log",
    hostVolume("/var/log"),
    [{ policy: MOUNTS, message: /\/var\/log read-write.*erase or forge/ }],
  ),
  api(
    "API given /dev/mem as a device",
    "physical memory is the kernel",
    (p) => {
      p.devices = [{ hostPath: "/dev/mem", containerPath: "/dev/mem" }];
    },
    [{ policy: MOUNTS, message: /\/dev\/mem/ }],
  ),
  api(
    "API mounting / through an inline local-driver bind volume",
    "a volume mount that is a bind in disguise",
    (p) => {
      p.mounts = [
        {
          type: "volume",
          target: "/host",
          volumeOptions: { driverOptions: { type: "none", o: "bind", device: "/" } },
        },
      ];
    },
    [{ policy: MOUNTS, message: /local volume driver bind/ }],
  ),
  // The docker.Volume route.
  bindVolume(
    "docker.Volume binding / mounted by volumeName",
    "the mount rule only looked at hostPath",
    "/",
    [{ policy: VOLUMES, message: /host path \/ read-write \(volumes\[0\] \(volume "hostdata"/ }],
  ),
  bindVolume(
    "docker.Volume binding /var/run mounted by volumeName",
    "the Docker socket through a named volume",
    "/var/run",
    [{ policy: VOLUMES, message: /\/var\/run.*Docker/ }],
  ),
  bindVolume(
    "docker.Volume binding / at preview (name unknown, linked by propertyDependencies)",
    "an auto-named volume is unknown at preview",
    "/",
    [{ policy: VOLUMES, message: /host path \/ read-write/ }],
    { preview: true },
  ),
];

/** Hardened deployments that must pass with no diagnostic at all. */
export const hardeningGoodCases: GoodCase[] = [
  {
    name: "API adding back NET_BIND_SERVICE (a narrow capability)",
    stack: withApi(adds("NET_BIND_SERVICE")),
  },
  {
    name: "API with the bare no-new-privileges option",
    stack: withApi((p) => {
      p.securityOpts = ["no-new-privileges"];
    }),
  },
  {
    name: "API with no-new-privileges=true and a named AppArmor profile",
    stack: withApi((p) => {
      p.securityOpts = ["no-new-privileges=true", "apparmor=docker-default"];
    }),
  },
  {
    name: "API with /etc/localtime read-only",
    stack: withApi(hostVolume("/etc/localtime", true)),
  },
  {
    name: "API with its own host directory read-write",
    stack: withApi(hostVolume(APP_DIR)),
  },
  {
    name: "API with a read-only root filesystem and a tmpfs /tmp",
    stack: withApi((p) => {
      p.readOnly = true;
      p.mounts = [{ type: "tmpfs", target: "/tmp" }];
    }),
  },
  {
    name: "docker.Volume binding the API's own directory, by name",
    stack: withBindVolume(APP_DIR),
  },
  {
    name: "docker.Volume binding the API's own directory read-only (o: bind,ro) at preview",
    stack: withBindVolume(APP_DIR, { preview: true, o: "bind,ro" }),
  },
  {
    name: "Plain named volume at preview (name and driver unknown), as our Redis data volume",
    stack: (() => {
      const volume = res(VOLUME_T, "data", { name: UNKNOWN, driver: UNKNOWN });
      const p = apiProps();
      p.volumes = [{ volumeName: UNKNOWN, containerPath: "/data" }];
      const base = apiContainer(p);
      return [
        volume,
        ...dockerStack({
          api: {
            ...base,
            propertyDependencies: { ...base.propertyDependencies, volumes: [volume.urn] },
          },
        }),
      ];
    })(),
  },
];
