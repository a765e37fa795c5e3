/**
 * Every probe and command our stacks run inside a container uses only binaries its real image
 * has, per test/docker/images/manifests.json (each tag's docker-library Dockerfile at the commit
 * that built it). The layer-5 stand-ins are built to hold no more than that
 * (test/docker/standins.test.ts), so a probe that needs a missing tool fails there too; this
 * catches it without an engine, for every stack file and image the stacks pin.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { basename, shellScript } from "../../policy/lib/shell";
import { byType, reveal, runStack } from "../helpers/program";
import { stackObject } from "../helpers/stack-blocks";

interface Manifest {
  readonly binaries: string[];
  readonly absent: string[];
  readonly entrypoint: string[];
}
const MANIFESTS = JSON.parse(
  readFileSync(join(__dirname, "../docker/images/manifests.json"), "utf8"),
) as Record<string, Manifest>;

/** Builtins of sh and bash, which need no binary. */
const BUILTINS = new Set(
  "exec printf echo test [ read cd true false set export : ! timeout-arg".split(" "),
);

/**
 * The programs a probe or command starts: argv[0] of an exec form, or for a shell form the
 * shell and the first word of every simple command and command substitution in its script
 * (past assignments, redirections, `exec` and `timeout <secs>`).
 */
function programsOf(argv: readonly string[]): string[] {
  const [kind, ...rest] = argv;
  const exec = kind === "CMD" ? rest : kind === "CMD-SHELL" ? ["sh", "-c", rest[0] ?? ""] : argv;
  const script = shellScript(exec);
  if (script === undefined) return exec[0] === undefined ? [] : [basename(exec[0])];
  const found = [basename(exec[0] as string)];
  for (const segment of script.split(/\$\(\(|\)\)|\$\(|[|;&()`\n]/)) {
    const words = segment.trim().split(/\s+/).filter(Boolean);
    let i = 0;
    for (;;) {
      const w = words[i];
      if (w === undefined) break;
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || /^\d*[<>]/.test(w) || w === "exec") i++;
      else if (w === "timeout") i += 2;
      else break;
    }
    const cmd = words[i];
    if (cmd !== undefined && !BUILTINS.has(cmd) && /^[A-Za-z/][\w./-]*$/.test(cmd))
      found.push(basename(cmd));
  }
  return [...new Set(found)];
}

describe("what a container runs is in its image", () => {
  it("reads programs from each probe form", () => {
    expect(programsOf(["CMD", "curl", "-fsS", "http://x"])).toEqual(["curl"]);
    expect(
      programsOf(["CMD-SHELL", "test $(( $(date +%s) - $(cat /f 2>/dev/null || echo 0) )) -lt 10"]),
    ).toEqual(["sh", "date", "cat"]);
    expect(
      programsOf([
        "CMD",
        "bash",
        "-c",
        "exec 3<>/dev/tcp/h/1 && printf x >&3 && timeout 2 head -n 1 <&3 | grep -q y",
      ]),
    ).toEqual(["bash", "head", "grep"]);
    expect(programsOf(["CMD-SHELL", "printf x | socat -t 2 - TCP:h:1"])).toEqual(["sh", "socat"]);
  });

  it.each(["dev", "prod", "prod with edge.tls: acme"])(
    "%s: every probe and command uses binaries its image has",
    async (stack) => {
      const run = stack.startsWith("prod with")
        ? await runStack("prod", {
            overrides: {
              "api-stack:edge": {
                ...stackObject("prod", "edge"),
                tls: "acme",
                dnsNames: ["shop.example.com"],
                acme: { email: "ops@example.com" },
              },
            },
          })
        : await runStack(stack);
      const containers = byType(run, "docker:index/container:Container");
      expect(containers.length).toBeGreaterThan(1);
      for (const c of containers) {
        const p = reveal(c.properties) as {
          image: string;
          command?: string[];
          entrypoints?: string[];
          healthcheck?: { tests: string[] };
        };
        const manifest = MANIFESTS[p.image];
        expect(
          manifest,
          `no manifest for ${p.image} in test/docker/images/manifests.json`,
        ).toBeDefined();
        // Docker appends the command to the entrypoint. An image whose own entrypoint is its
        // binary (prom/prometheus's /bin/prometheus) takes the command as that binary's flags;
        // one whose entrypoint is a script (docker-entrypoint.sh) runs the command.
        const entry = p.entrypoints ?? manifest!.entrypoint;
        const argsOnly =
          p.entrypoints === undefined && entry.length > 0 && !entry[0]!.endsWith(".sh");
        // An entrypoint the stack sets (a shell running an uploaded script) is what starts.
        const started = p.entrypoints ? [...p.entrypoints, ...(p.command ?? [])] : p.command;
        const used = [
          ...programsOf(p.healthcheck?.tests ?? []),
          ...(started ? programsOf(argsOnly ? entry : started) : []),
        ];
        const missing = used.filter((b) => !manifest!.binaries.includes(b));
        expect(missing, `${c.name} (${p.image}) runs ${used.join(", ")}`).toEqual([]);
      }
    },
  );

  it("the edge probe from before the fix needed socat, which haproxy:3.0.11 never had", () => {
    const old = [
      "CMD-SHELL",
      "printf 'GET /edge-healthz HTTP/1.0\\r\\n\\r\\n' | socat -t 2 - TCP:127.0.0.1:8404 | grep -q '^HTTP/1.[01] 200'",
    ];
    const haproxy = MANIFESTS["haproxy:3.0.11"]!;
    expect(programsOf(old).filter((b) => !haproxy.binaries.includes(b))).toEqual(["socat"]);
    expect(haproxy.absent).toContain("socat");
  });
});

describe("values the provider reads back differently are sent in its form", () => {
  it.each(["dev", "prod"])("%s: capabilities and cpus are what Read writes back", async (stack) => {
    const { dockerCapabilities, providerCpus } = await import("../../components/lib/container");
    const run = await runStack(stack);
    for (const c of byType(run, "docker:index/container:Container")) {
      const p = reveal(c.properties) as {
        capabilities?: { adds?: string[]; drops?: string[] };
        cpus?: string;
      };
      for (const list of [p.capabilities?.adds, p.capabilities?.drops])
        if (list) expect(list, c.name).toEqual(dockerCapabilities(list));
      if (p.cpus !== undefined) expect(p.cpus, c.name).toBe(providerCpus(Number(p.cpus)));
    }
  });
});

describe("cpus a user writes as a whole number", () => {
  it('prod with `api.cpus: 1` sends "1.0", which is what the provider reads back', async () => {
    const { merge, stackObject } = await import("../helpers/stack-blocks");
    const run = await runStack("prod", {
      overrides: { "api-stack:api": merge(stackObject("prod", "api"), { cpus: 1 }) },
    });
    const api = byType(run, "docker:index/container:Container").find(
      (c) => c.name === "api-server",
    )!;
    expect((reveal(api.properties) as { cpus?: string }).cpus).toBe("1.0");
  });
});

describe("every container's resource options say what the provider would otherwise decide", () => {
  it.each(["dev", "prod"])(
    "%s: deleteBeforeReplace set either way, #initerror and healthcheck replace, logOpts ignored",
    async (stack) => {
      const run = await runStack(stack);
      for (const c of byType(run, "docker:index/container:Container")) {
        // Unset, the provider's delete-before-replace applies (pulumi-docker resources.go).
        expect(typeof c.options.deleteBeforeReplace, c.name).toBe("boolean");
        expect(c.options.replaceOnChanges, c.name).toEqual(
          expect.arrayContaining(["healthcheck", "#initerror"]),
        );
        expect(c.options.ignoreChanges, c.name).toContain("logOpts");
      }
    },
  );
});
