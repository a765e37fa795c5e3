/**
 * The few Docker operations `npm run backup` and `npm run restore` need, over dockerode: exec
 * with stdin (so a password travels on the exec's stdin, never in its command or env), a
 * one-off container that runs to completion, and waiting for a healthcheck.
 */
import { PassThrough } from "node:stream";
import Docker from "dockerode";

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * How every helper container of a backup or restore runs: no network (nothing can reach the
 * server it loads), no capabilities, no privilege escalation.
 */
export const ISOLATED: Pick<Docker.HostConfig, "NetworkMode" | "CapDrop" | "SecurityOpt"> = {
  NetworkMode: "none",
  CapDrop: ["ALL"],
  SecurityOpt: ["no-new-privileges:true"],
};

/** Splits Docker's multiplexed stdout/stderr stream; read the text once the stream has ended. */
function demux(docker: Docker, stream: NodeJS.ReadableStream): () => Omit<ExecResult, "code"> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = "";
  let stderr = "";
  out.on("data", (b: Buffer) => (stdout += b.toString()));
  err.on("data", (b: Buffer) => (stderr += b.toString()));
  docker.modem.demuxStream(stream, out, err);
  return () => ({ stdout, stderr });
}

/** Runs `cmd` in a running container; `stdin` is written to it and then closed. */
export async function execIn(
  docker: Docker,
  container: string,
  cmd: string[],
  o: { stdin?: string; user?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  const exec = await docker.getContainer(container).exec({
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: o.stdin !== undefined,
    User: o.user,
  });
  const stream = await exec.start({ hijack: true, stdin: o.stdin !== undefined });
  const text = demux(docker, stream);
  const ended = new Promise<void>((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", reject);
  });
  if (o.stdin !== undefined) {
    stream.write(o.stdin);
    // Half-close: the process sees EOF on stdin, and its output still arrives.
    (stream as unknown as { end(): void }).end();
  }
  const timeout = o.timeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    ended,
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`\`${cmd.join(" ")}\` took over ${timeout} ms`)),
        timeout,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  let code: number | null = null;
  for (let i = 0; i < 50 && code === null; i++) {
    const info = await exec.inspect();
    code = info.Running ? null : info.ExitCode;
    if (code === null) await sleep(20);
  }
  return { code: code ?? -1, ...text() };
}

/** A one-off container from `image` that runs `cmd` to completion; removed afterwards. */
export async function runOnce(
  docker: Docker,
  o: {
    image: string;
    cmd: string[];
    user: string;
    binds: string[];
    labels: Record<string, string>;
    timeoutMs?: number;
  },
): Promise<ExecResult> {
  const c = await docker.createContainer({
    Image: o.image,
    Cmd: o.cmd,
    User: o.user,
    Labels: o.labels,
    HostConfig: { Binds: o.binds, ...ISOLATED },
  });
  try {
    await c.start();
    const waited = (await Promise.race([
      c.wait(),
      sleep(o.timeoutMs ?? 300_000).then(() => {
        throw new Error(`\`${o.cmd.join(" ")}\` did not finish in time`);
      }),
    ])) as { StatusCode: number };
    const logs = (await c.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    const src = new PassThrough();
    const text = demux(docker, src);
    src.end(logs);
    await new Promise((r) => setImmediate(r));
    return { code: waited.StatusCode, ...text() };
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}

/** Waits for a container's healthcheck to report healthy; throws with its last probe output. */
export async function waitHealthy(docker: Docker, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const info = await docker.getContainer(name).inspect();
    const health = info.State.Health;
    if (!info.State.Running) last = `not running (${info.State.Status})`;
    else if (health === undefined) return;
    else if (health.Status === "healthy") return;
    else last = `${health.Status}: ${health.Log?.at(-1)?.Output?.trim() ?? ""}`;
    await sleep(250);
  }
  throw new Error(`${name} did not turn healthy in ${Math.round(timeoutMs / 1000)} s (${last})`);
}

/** The named volume mounted at `destination` in a container. */
export async function volumeAt(
  docker: Docker,
  container: string,
  destination: string,
): Promise<string> {
  const info = await docker.getContainer(container).inspect();
  const m = info.Mounts.find((x) => x.Destination === destination && x.Type === "volume");
  if (m?.Name === undefined) throw new Error(`${container} has no named volume at ${destination}`);
  return m.Name;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
