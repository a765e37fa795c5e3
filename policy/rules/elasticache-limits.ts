/**
 * What AWS refuses half-way through an `up`, judged on the plain resources so the pack
 * catches it in any program: the same checks the config schema runs (policy/lib/aws-limits.ts
 * holds them once, with their AWS sources).
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { onlyFor } from "../lib/config";
import { engineFamily, windowProblems } from "../lib/aws-limits";
import { REPLICATION_GROUP, SUBNET_GROUP } from "../lib/types";
import { isUnknown, raw, unknownAtPreview } from "../lib/unknown";

export const elasticacheAwsLimits: ResourceValidationPolicy = {
  name: "elasticache-aws-limits",
  description:
    "ElastiCache windows, Valkey engine versions and subnet groups must be values AWS accepts, or the up fails half-way.",
  enforcementLevel: "mandatory",
  validateResource: [
    onlyFor(REPLICATION_GROUP, (args, report) => {
      const p = raw(args.props);
      const label = `ElastiCache replication group "${args.name}"`;
      for (const field of ["engineVersion", "snapshotWindow", "maintenanceWindow"]) {
        if (isUnknown(p[field])) {
          report(unknownAtPreview(`\`${field}\` of ${label}`, `set ${field} as a literal`));
          return;
        }
      }
      if (p.engine === "valkey" && typeof p.engineVersion === "string") {
        const problem = engineFamily(p.engineVersion).problem;
        if (problem) report(`${label}: engineVersion ${problem}.`);
      }
      if (typeof p.snapshotWindow === "string" && typeof p.maintenanceWindow === "string") {
        for (const w of windowProblems(p.snapshotWindow, p.maintenanceWindow)) {
          report(`${label}: ${w.key} ${w.message}.`);
        }
      }
    }),
    onlyFor(SUBNET_GROUP, (args, report) => {
      const ids = raw(args.props).subnetIds;
      if (!Array.isArray(ids) || ids.some(isUnknown)) return;
      const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
      if (dupes.length > 0) {
        report(
          `ElastiCache subnet group "${args.name}" lists ${[...new Set(dupes)].join(", ")} more than once, ` +
            "so it counts as two subnets while giving one AZ (and AWS refuses the duplicate). " +
            "Fix: list each subnet once, from at least two AZs.",
        );
      }
    }),
  ],
};
