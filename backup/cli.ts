/**
 * `npm run backup -- --stack <name>` and `npm run restore -- --stack <name> --from <…>`, against
 * the stack's Docker host (DOCKER_HOST or --docker-host, as `npm run verify`). Exit 0 on
 * success, 1 when the backup or restore failed, 2 when the command itself cannot run. No secret
 * is ever printed.
 */
import { parseArgs } from "node:util";
import Docker from "dockerode";
import { maskSecrets } from "../verify/mask";
import { dockerOptions } from "../verify/engine";
import {
  readOutputsFile,
  readStackOutputs,
  secretsIn,
  urlPassword,
  type StackOutputs,
} from "../verify/outputs";
import { backupNow, restore, RestoreError, type Containers } from "./restore";
import { execIn } from "./docker";
import { setMaintenance } from "./maintenance";
import { BACKUP_PATHS } from "../components/lib/backup-script";

const USAGE = {
  backup: `usage: npm run backup -- (--stack <name> | --outputs <file.json>) [--list] [--docker-host <url>]

  Takes a verified snapshot now (and its offsite copy); --list prints the good snapshots.`,
  restore: `usage: npm run restore -- (--stack <name> | --outputs <file.json>) --from <snapshot> [--docker-host <url>]

  --from latest            the newest good snapshot on the backups volume
  --from <name>            a snapshot by name, e.g. redis-20261206T071500Z (npm run backup -- --list)
  --from offsite:latest    the newest copy in the offsite bucket (or offsite:<name>)

  Verifies the snapshot before it changes anything, stops the API and workers, keeps the current
  data aside in the volume (/data/pre-restore-<time>), loads the snapshot with AOF on, checks
  its keys and brings everything back; prints each step's time and the total (the RTO).`,
};

class UsageError extends Error {}

const secrets: string[] = [];
const out = (line: string) => process.stdout.write(`${maskSecrets(line, secrets)}\n`);
const err = (line: string) => process.stderr.write(`${maskSecrets(line, secrets)}\n`);

function containersOf(o: StackOutputs): Containers {
  if (o.redisMode !== undefined && o.redisMode !== "local") {
    throw new UsageError(
      `redis.mode is ${o.redisMode}: backups here are for a local Redis; ElastiCache restores through \`redis.restoreFrom\` (docs/redis-backends.md)`,
    );
  }
  if (!o.redisContainerName || !o.redisBackupContainerName) {
    throw new UsageError(
      "the stack has no backup container (outputs redisContainerName and redisBackupContainerName): add `redis.backup` to the stack file and run pulumi up",
    );
  }
  const workers = Object.values(o.workerContainerNames ?? {}).flat();
  return {
    redis: o.redisContainerName,
    backup: o.redisBackupContainerName,
    offsite: o.redisOffsiteContainerName,
    writers: [...(o.apiContainerNames ?? []), ...workers],
  };
}

export async function backupMain(command: "backup" | "restore", argv: string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: "string" },
        outputs: { type: "string" },
        from: { type: "string" },
        list: { type: "boolean", default: false },
        "docker-host": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      out(USAGE[command]);
      return 0;
    }
    if ((values.stack === undefined) === (values.outputs === undefined)) {
      throw new UsageError("pass --stack <name> or --outputs <file.json>");
    }
    if (command === "restore" && values.from === undefined) {
      throw new UsageError("pass --from latest, --from <name> or --from offsite:latest");
    }
    const outputs =
      values.outputs !== undefined
        ? await readOutputsFile(values.outputs)
        : await readStackOutputs(values.stack as string);
    secrets.push(...secretsIn(outputs as Record<string, unknown>));
    const c = containersOf(outputs);
    const docker = new Docker(dockerOptions(values["docker-host"] ?? process.env.DOCKER_HOST));
    if (command === "backup") {
      if (values.list) {
        const r = await execIn(docker, c.backup, ["sh", BACKUP_PATHS.script, "list"]);
        out("name\tcreatedAt\tkeys\tbytes");
        out(r.stdout.trimEnd());
        return 0;
      }
      await backupNow(docker, c, out);
      return 0;
    }
    const adminUrl = outputs.redisAdminUrl;
    const adminPassword = adminUrl === undefined ? undefined : urlPassword(adminUrl);
    if (adminPassword === undefined) {
      throw new UsageError(
        "the outputs have no redisAdminUrl with a password (the admin ACL user)",
      );
    }
    secrets.push(adminPassword);
    // Clients get the maintenance page (503, Retry-After) instead of errors while the API and
    // workers are stopped, when the stack has an edge proxy; it goes off again afterwards,
    // unless it was on before.
    const edge = outputs.edgeContainerName;
    let wasOn = true;
    if (edge !== undefined) {
      wasOn = await setMaintenance(docker, edge, true).catch((e: Error) => {
        err(`restore: maintenance mode not switched on (${e.message}); restoring anyway`);
        return true;
      });
      if (!wasOn) out(`maintenance on at ${edge}`);
    }
    try {
      await restore(docker, c, {
        from: values.from as string,
        adminPassword,
        port: outputs.redisPort,
        log: out,
      });
    } finally {
      if (edge !== undefined && !wasOn) {
        await setMaintenance(docker, edge, false).then(
          () => out(`maintenance off at ${edge}`),
          (e: Error) =>
            err(
              `restore: maintenance mode is still on (${e.message}); switch it off with npm run maintenance -- --stack <name> off`,
            ),
        );
      }
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e instanceof Error && e.name === "OutputsError")) {
      err(`${command}: ${e.message}\n\n${USAGE[command]}`);
      return 2;
    }
    if (e instanceof TypeError && /Unknown option|parseArgs/.test(String(e))) {
      err(`${command}: ${e.message}\n\n${USAGE[command]}`);
      return 2;
    }
    err(`${command} failed: ${e instanceof RestoreError ? e.message : (e as Error).message}`);
    return 1;
  }
}
