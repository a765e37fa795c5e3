/**
 * The example API that api-stack deploys: `node server.js` serves HTTP, `node server.js
 * worker` (or MODE=worker) consumes the job queue. Configuration is checked before anything
 * starts; SIGTERM and SIGINT drain the work in hand and exit 0 within SHUTDOWN_GRACE_MS, or
 * exit 1 after saying how much was cut.
 */
import { startApi } from "./api";
import { parseConfig } from "./config";
import { createLogger } from "./log";
import { closeRedis, connectRedis } from "./redis";
import { startWorker } from "./worker";

function main(): void {
  const parsed = parseConfig(process.env, process.argv.slice(2));
  if (!parsed.ok) {
    // One line, for `docker logs` and for a restart loop that prints it on every attempt.
    process.stderr.write(`config error: ${parsed.problems.join("; ")}\n`);
    process.exit(1);
  }
  const config = parsed.config;
  const log = createLogger(config.logLevel, config.secrets);
  log.info("start", {
    mode: config.mode,
    node: process.version,
    pid: process.pid,
    redis: config.redis,
    ...(config.mode === "api"
      ? { port: config.port, startupDelayMs: config.startupDelayMs }
      : { worker: config.workerId, heartbeatFile: config.heartbeatFile }),
    shutdownGraceMs: config.shutdownGraceMs,
  });

  const redis = connectRedis(config, log);
  const service =
    config.mode === "worker" ? startWorker(config, log, redis) : startApi(config, log, redis);

  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    // A second signal (an impatient Ctrl-C) changes nothing; the grace timer still rules.
    if (shuttingDown) return;
    shuttingDown = true;
    const started = Date.now();
    log.info("shutdown", { signal, inFlight: service.inFlight(), graceMs: config.shutdownGraceMs });
    const grace = setTimeout(() => {
      const cut = service.inFlight();
      log.error("shutdown grace expired", { cut, graceMs: config.shutdownGraceMs });
      service.abort();
      redis.destroy();
      // Only cut work is a failure; a Redis QUIT that did not finish in time is not.
      process.exit(cut > 0 ? 1 : 0);
    }, config.shutdownGraceMs);
    void service
      .stop()
      .then(() => closeRedis(redis))
      .then(() => {
        clearTimeout(grace);
        log.info("stopped", { ms: Date.now() - started });
        process.exit(0);
      });
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main();
