/**
 * The stand-in images hold no tool their real tags lack, and run as their real tags run: user,
 * stop signal, entrypoint, cmd, workdir, volumes and ports (test/docker/images/manifests.json,
 * from the Dockerfile at the commit that built each tag). A stand-in with an extra tool would
 * let a probe pass here that fails in production, as socat in the old haproxy stand-in did.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, expect, test } from "vitest";
import { engine, IMAGES, requireImages } from "./harness";
import { demuxLogs } from "../../verify/diagnose";
import { describeDocker } from "./layer";

interface Manifest {
  readonly imageUser: string;
  readonly stopSignal: string;
  readonly entrypoint: string[];
  readonly cmd: string[];
  readonly absent: string[];
  readonly binaries: string[];
  readonly workdir: string;
  readonly volumes: string[];
  readonly exposed: string[];
  readonly busyboxApplets?: string;
  readonly buildFlags?: { readonly make: string[] };
}
const MANIFESTS = JSON.parse(
  readFileSync(join(__dirname, "images/manifests.json"), "utf8"),
) as Record<string, Manifest>;

/** What `command -v` finds in an image without a shell: Docker's default PATH, or a path. */
const DEFAULT_PATH = [
  "/usr/local/sbin",
  "/usr/local/bin",
  "/usr/sbin",
  "/usr/bin",
  "/sbin",
  "/bin",
];
const hasShell = (image: string) => !MANIFESTS[image]!.absent.includes("sh");

/** The names of /bin in prom's busybox base (busybox 1.36.1 uclibc, defconfig). */
function busyboxBin(file: string): Set<string> {
  const text = readFileSync(join(__dirname, "images", file), "utf8");
  return new Set(text.split("\n").filter((l) => l !== "" && !l.startsWith("#")));
}

/** Docker's multiplexed stream as text: verify's reader of `docker logs` frames. */
const demux = demuxLogs;

const MONITORING = ["prom/prometheus:v2.53.3", "prom/alertmanager:v0.28.1"];

describeDocker("stand-in images match their real tags", () => {
  const docker = engine();

  beforeAll(() => requireImages(docker), 60_000);

  /** Runs the image once with ENTRYPOINT and CMD replaced; its exit code and stdout. */
  async function runOnce(image: string, entrypoint: string[], cmd: string[] = []) {
    const c = await docker.createContainer({
      Image: image,
      Entrypoint: entrypoint,
      Cmd: cmd,
      Labels: { "com.api-stack.stack": "standins" },
    });
    try {
      await c.start();
      const { StatusCode } = (await c.wait()) as { StatusCode: number };
      const out = demux(await c.logs({ stdout: true, stderr: false }));
      return { code: StatusCode, out };
    } finally {
      await c.remove({ force: true });
    }
  }

  /**
   * `command -v` for each name inside the image, as its own user would run it; in an image
   * without a shell, the same lookup over the files of a created (never started) container.
   */
  async function present(image: string, names: string[]): Promise<string[]> {
    if (hasShell(image)) {
      const script = `for b in ${names.join(" ")}; do command -v "$b" >/dev/null 2>&1 && echo "$b"; done; true`;
      const { out } = await runOnce(image, ["/bin/sh", "-c"], [script]);
      return out.split(/\s+/).filter((s) => names.includes(s));
    }
    const c = await docker.createContainer({
      Image: image,
      Labels: { "com.api-stack.stack": "standins" },
    });
    try {
      const found: string[] = [];
      for (const name of names) {
        const paths = name.startsWith("/") ? [name] : DEFAULT_PATH.map((d) => `${d}/${name}`);
        for (const path of paths) {
          const hit = await c.infoArchive({ path }).then(
            () => true,
            () => false,
          );
          if (hit) {
            found.push(name);
            break;
          }
        }
      }
      return found;
    } finally {
      await c.remove({ force: true });
    }
  }

  /** Polls `wget` inside a running container until the URL answers 2xx. */
  async function readyWithin(id: string, url: string, ms: number): Promise<string> {
    const c = docker.getContainer(id);
    const until = Date.now() + ms;
    for (;;) {
      const exec = await c.exec({
        Cmd: ["wget", "-q", "-O", "-", url],
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = await exec.start({});
      const chunks: Buffer[] = [];
      await new Promise<void>((resolve) => {
        stream.on("data", (b: Buffer) => chunks.push(b));
        stream.on("end", () => resolve());
      });
      if ((await exec.inspect()).ExitCode === 0) return demux(Buffer.concat(chunks));
      if (Date.now() > until) throw new Error(`${url} not ready within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  test.each(IMAGES.filter((i) => MANIFESTS[i]))(
    "%s lacks every tool its real tag lacks",
    async (image) => {
      const absent = MANIFESTS[image]!.absent.filter((a) => /^[\w.+-]+$/.test(a));
      expect(absent.length).toBeGreaterThan(0);
      expect(await present(image, absent)).toEqual([]);
    },
    60_000,
  );

  test.each(IMAGES.filter((i) => MANIFESTS[i]))("%s runs as its real tag does", async (image) => {
    const m = MANIFESTS[image]!;
    const info = (await docker.getImage(image).inspect()) as unknown as {
      Config: {
        User?: string;
        StopSignal?: string;
        Entrypoint?: string[] | null;
        Cmd?: string[] | null;
        WorkingDir?: string;
        Volumes?: Record<string, unknown> | null;
        ExposedPorts?: Record<string, unknown> | null;
      };
    };
    const user = info.Config.User || "root";
    expect(user, "user").toBe(m.imageUser);
    expect(info.Config.StopSignal || "SIGTERM", "stop signal").toBe(m.stopSignal);
    const entry = (info.Config.Entrypoint ?? []).map((e) => e.split("/").pop());
    expect(entry, "entrypoint").toEqual(m.entrypoint.map((e) => e.split("/").pop()));
    expect(info.Config.Cmd ?? [], "cmd").toEqual(m.cmd);
    // An empty WORKDIR is the root directory.
    expect(info.Config.WorkingDir || "/", "workdir").toBe(m.workdir || "/");
    expect(Object.keys(info.Config.Volumes ?? {}).sort(), "volumes").toEqual([...m.volumes].sort());
    expect(Object.keys(info.Config.ExposedPorts ?? {}).sort(), "exposed").toEqual(
      [...m.exposed].sort(),
    );
  });

  // docker-library/redis 7.4/alpine/Dockerfile makes only /data (mkdir /data && chown redis:redis
  // /data), and valkey-container's Dockerfile likewise: no /usr/local/etc/redis. The provider's
  // uploads create it (a tar entry's parents), so anything that copies a file there by hand must
  // too (npm run restore did not, and passed only on a stand-in that had the directory).
  test.each(["redis:7.4-alpine", "redis:7.4.2-alpine", "valkey/valkey:8.1-alpine"])(
    "%s has no /usr/local/etc/redis, as its real tag",
    async (image) => {
      const c = await docker.createContainer({
        Image: image,
        Entrypoint: ["/bin/sh", "-c"],
        Cmd: ["test ! -e /usr/local/etc/redis"],
        Labels: { "com.api-stack.stack": "standins" },
      });
      try {
        await c.start();
        expect((await c.wait()).StatusCode).toBe(0);
      } finally {
        await c.remove({ force: true });
      }
    },
    60_000,
  );

  test("the example API image has the curl its probe needs; its node base does not", async () => {
    expect(await present("ghcr.io/acme/api:1.4.2", ["curl"])).toEqual(["curl"]);
    expect(await present("node:24-bookworm-slim", ["curl"])).toEqual([]);
  }, 60_000);

  // aws/aws-cli docker/Dockerfile at 2.36.7: amazonlinux:2023 (bash, coreutils-single) plus
  // less, groff, findutils and jq; WORKDIR /aws; the CLI is the entrypoint. Scripts that wrap
  // the CLI (`--entrypoint sh`) rely on these, so the stand-in must have them too.
  test("the aws-cli stand-in has the shell and tools of its real tag, in /aws", async () => {
    const image = "amazon/aws-cli:2.36.7";
    const tools = ["bash", "sh", "sha256sum", "cat", "sleep", "date", "ls", "sort", "mkdir"];
    const more = ["mv", "rm", "stat", "wc", "find", "xargs", "jq", "less", "groff", "curl", "aws"];
    expect(await present(image, [...tools, ...more])).toEqual([...tools, ...more]);
    const info = (await docker.getImage(image).inspect()) as unknown as {
      Config: { WorkingDir?: string; Cmd?: string[] | null };
    };
    expect(info.Config.WorkingDir, "workdir").toBe(MANIFESTS[image]!.workdir);
    expect(info.Config.Cmd ?? [], "cmd").toEqual([]);
  }, 60_000);
  // The monitoring stand-ins: exact entrypoints (the generic test compares base names), the
  // tools they share with their real tags, and nothing on PATH beyond the real /bin.
  test.each([
    ...MONITORING,
    "oliver006/redis_exporter:v1.69.0",
    "oliver006/redis_exporter:v1.69.0-alpine",
  ])(
    "%s has the tools of its real tag that the tests rely on",
    async (image) => {
      const m = MANIFESTS[image]!;
      const info = await docker.getImage(image).inspect();
      expect(info.Config.Entrypoint, "entrypoint").toEqual(m.entrypoint);
      expect(await present(image, m.binaries)).toEqual(m.binaries);
    },
    60_000,
  );

  test.each(MONITORING)(
    "%s has nothing on PATH that prom's busybox base lacks",
    async (image) => {
      const m = MANIFESTS[image]!;
      const real = busyboxBin(m.busyboxApplets!);
      // The manifest itself: nothing it calls absent is in the real /bin.
      expect(
        m.absent.filter((a) => real.has(a)),
        "manifest absent vs real /bin",
      ).toEqual([]);
      const { code, out } = await runOnce(
        image,
        ["/bin/sh", "-c"],
        [
          `for d in ${DEFAULT_PATH.join(" ")}; do [ -d $d ] && ls -1 $d | sed "s|^|$d/|"; done; true`,
        ],
      );
      expect(code).toBe(0);
      const own = new Set(m.binaries.filter((b) => !real.has(b)).map((b) => `/bin/${b}`));
      const extra = out
        .split("\n")
        .filter((p) => p !== "" && !own.has(p) && p !== "/usr/bin/env")
        .filter((p) => !(p.startsWith("/bin/") && real.has(p.slice(5))));
      expect(extra).toEqual([]);
    },
    60_000,
  );

  test("the default configs of prometheus and alertmanager pass their own checkers", async () => {
    const prom = await runOnce(
      "prom/prometheus:v2.53.3",
      ["/bin/promtool"],
      ["check", "config", "/etc/prometheus/prometheus.yml"],
    );
    expect(prom.code, prom.out).toBe(0);
    const am = await runOnce(
      "prom/alertmanager:v0.28.1",
      ["/bin/amtool"],
      ["check-config", "/etc/alertmanager/alertmanager.yml"],
    );
    expect(am.code, am.out).toBe(0);
  }, 60_000);

  // A probe in a compose file or an ECS task runs inside the image: busybox wget, since
  // neither image has curl. Both start with their default CMD, as nobody.
  test.each([
    ["prom/prometheus:v2.53.3", "http://127.0.0.1:9090/-/ready", /Prometheus Server is Ready/],
    ["prom/alertmanager:v0.28.1", "http://127.0.0.1:9093/-/ready", /OK/],
  ])(
    "%s answers /-/ready to busybox wget with its default CMD",
    async (image, url, body) => {
      const c = await docker.createContainer({
        Image: image,
        Labels: { "com.api-stack.stack": "standins" },
      });
      try {
        await c.start();
        expect(await readyWithin(c.id, url, 30_000)).toMatch(body);
      } finally {
        await c.remove({ force: true });
      }
    },
    60_000,
  );

  test("the redis_exporter stand-in runs its binary with no shell", async () => {
    const { code, out } = await runOnce(
      "oliver006/redis_exporter:v1.69.0",
      ["/redis_exporter"],
      ["--version"],
    );
    expect(code).toBe(0);
    expect(out).toMatch(/Redis Metrics Exporter v?1\.69\.0/);
  }, 60_000);

  // docker-library/haproxy 3.0/Dockerfile at 2ff3f8bc builds with USE_PROMEX=1 (manifests.json
  // buildFlags): the stats scrape the monitoring stack relies on is a built-in service.
  test("haproxy:3.0.11 is built with the Prometheus exporter, as its real tag", async () => {
    expect(MANIFESTS["haproxy:3.0.11"]!.buildFlags?.make).toContain("USE_PROMEX=1");
    const { code, out } = await runOnce("haproxy:3.0.11", ["haproxy"], ["-vv"]);
    expect(code).toBe(0);
    expect(out).toContain("Built with the Prometheus exporter as a service");
  }, 60_000);

  // go-acme/lego v4.9.1 tmpl.Dockerfile: /usr/bin/lego on alpine's busybox. The issuer runs as
  // 99:99, which has no passwd entry there, with busybox sh running the uploaded script.
  test("goacme/lego:v4.9.1 runs lego's CLI and, as uid 99, the applets the issuer script uses", async () => {
    const { code, out } = await runOnce("goacme/lego:v4.9.1", ["/usr/bin/lego"], ["--help"]);
    expect(code).toBe(0);
    expect(out).toMatch(/renew\s+Renew a certificate/);
    const c = await docker.createContainer({
      Image: "goacme/lego:v4.9.1",
      User: "99:99",
      Entrypoint: ["/bin/sh", "-c"],
      Cmd: [
        "for b in cat mv rm mkdir sleep date cmp kill; do command -v $b >/dev/null || echo missing $b; done; " +
          "echo x >/tmp/a && cmp -s /tmp/a /tmp/a && mv /tmp/a /tmp/b && id -u",
      ],
      Labels: { "com.api-stack.stack": "standins" },
    });
    try {
      await c.start();
      expect((await c.wait()).StatusCode).toBe(0);
      expect(demux(await c.logs({ stdout: true, stderr: true })).trim()).toBe("99");
    } finally {
      await c.remove({ force: true });
    }
  }, 60_000);

  // docker-library/haproxy 3.0/Dockerfile at 2ff3f8bc: `mkdir /var/lib/haproxy; chown
  // haproxy:haproxy /var/lib/haproxy`. The edge's state volume is mounted there
  // (components/lib/edge-live.ts), so a new volume is owned by uid 99 and starts empty.
  test("haproxy:3.0.11's /var/lib/haproxy is empty and owned by 99:99, as in the real image", async () => {
    const { code, out } = await runOnce(
      "haproxy:3.0.11",
      ["bash", "-c"],
      ['stat -c "%u:%g %a" /var/lib/haproxy; ls -A /var/lib/haproxy | wc -l'],
    );
    expect(code).toBe(0);
    expect(out.trim().split("\n")).toEqual(["99:99 755", "0"]);
  }, 60_000);
});
