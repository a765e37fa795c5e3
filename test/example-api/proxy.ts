/**
 * A TCP proxy in front of a real redis-server, for the one outage a plain kill cannot
 * stage: Redis accepts the connection but does not answer yet (a paused container, a server
 * still loading, a slow network). While it holds, the client's reconnect gets as far as
 * its handshake and waits there, so the client is open but not ready.
 */
import { connect, createServer, type Socket } from "node:net";
import { freePort } from "../real/util";

export interface RedisProxy {
  readonly port: number;
  /** Drops every connection; new ones are accepted, and what they send is kept unanswered. */
  hold(): void;
  /** Connects each held connection to Redis, sending what it kept; new ones pass straight through. */
  release(): void;
  /**
   * Sends new connections to another port; open ones stay where they are, as after a failover
   * whose DNS now names the new primary while old connections still reach the old one.
   */
  retarget(upstreamPort: number): void;
  close(): Promise<void>;
}

export async function startProxy(upstreamPort: number): Promise<RedisProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  const held: { client: Socket; chunks: Buffer[]; onData: (b: Buffer) => void }[] = [];
  let holding = false;
  let target = upstreamPort;

  const track = (s: Socket): Socket => {
    sockets.add(s);
    s.on("error", () => undefined);
    s.once("close", () => sockets.delete(s));
    return s;
  };
  const pass = (client: Socket, kept: readonly Buffer[]): void => {
    const upstream = track(connect(target, "127.0.0.1"));
    for (const chunk of kept) upstream.write(chunk);
    client.pipe(upstream).pipe(client);
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  };

  const server = createServer((client) => {
    track(client);
    if (!holding) return pass(client, []);
    const entry = { client, chunks: [] as Buffer[], onData: (b: Buffer) => entry.chunks.push(b) };
    client.on("data", entry.onData);
    held.push(entry);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));

  return {
    port,
    hold() {
      holding = true;
      for (const s of sockets) s.destroy();
    },
    release() {
      holding = false;
      for (const { client, chunks, onData } of held.splice(0)) {
        client.off("data", onData);
        if (!client.destroyed) pass(client, chunks);
      }
    },
    retarget(port) {
      target = port;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
