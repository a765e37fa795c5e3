/**
 * A Redis container that keeps its data on a volume, in a stack where nothing takes snapshots
 * of it. A protected volume survives `pulumi destroy` but not a lost disk, a FLUSHALL or a bad
 * migration; the production guide (seed 004) asks for "a backup strategy for volumes" and a
 * tested restore.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { containerLabel, redisIdentity, type Props } from "../lib/docker";
import { readUploads } from "../lib/redis-inputs";
import { containsUnknown, raw } from "../lib/unknown";

const CONTAINER = "docker:index/container:Container";
const CLI = /\b(redis|valkey)-cli\b/;
const RDB = /(^|[\s"'])--rdb([\s"']|$)/m;
const BGSAVE = /\bBGSAVE\b/i;

/** The text a container runs: its command and every file the program uploads into it. */
function runText(p: Props): { text: string; unknown: boolean } {
  const uploads = readUploads(p.uploads);
  const command = Array.isArray(p.command) ? p.command.filter((c) => typeof c === "string") : [];
  const text = [command.join(" "), ...uploads.list.map((u) => u.content ?? "")].join("\n");
  return { text, unknown: uploads.unknown || containsUnknown(p.command) };
}

/** Takes snapshots: `redis-cli --rdb` (or valkey-cli) or a BGSAVE, in its command or scripts. */
export function takesSnapshots(p: Props): boolean | undefined {
  const { text, unknown } = runText(p);
  if ((CLI.test(text) && RDB.test(text)) || BGSAVE.test(text)) return true;
  return unknown ? undefined : false;
}

function keepsData(p: Props): boolean {
  const volumes = Array.isArray(p.volumes) ? (p.volumes as Props[]) : [];
  const mounts = Array.isArray(p.mounts) ? (p.mounts as Props[]) : [];
  return volumes.length > 0 || mounts.some((m) => m?.type === "volume" || m?.type === "bind");
}

export const redisHasBackups: StackValidationPolicy = {
  name: "redis-has-backups",
  description:
    "A Redis container that keeps data on a volume needs a container that snapshots it (redis-cli --rdb or BGSAVE).",
  enforcementLevel: "advisory",
  validateStack: (args, report) => {
    // raw(): the SDK's proxy would throw on a value unknown at preview.
    const containers = args.resources
      .filter((r: PolicyResource) => r.type === CONTAINER)
      .map((r) => ({ r, p: raw(r.props) }));
    const servers = containers.filter(({ p }) => redisIdentity(p).redis && keepsData(p));
    // A container whose scripts are unknown at preview may be the one: not reported.
    const snapshots = containers.some(({ p }) => takesSnapshots(p) !== false);
    if (snapshots) return;
    for (const { r: s, p } of servers) {
      report(
        `Redis ${containerLabel(s.name, p)} keeps its data on a volume, but no container in this stack takes snapshots of it: a volume does not survive a lost disk or a FLUSHALL. Add a container that runs \`redis-cli --rdb\` on a schedule and copies the files off the host (in api-stack: \`redis.backup\` with \`offsite\`, docs/backups.md).`,
        s.urn,
      );
    }
  },
};
