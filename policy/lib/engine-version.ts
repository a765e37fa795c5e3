/**
 * Redis OSS engine versions on ElastiCache that are too old to run. AWS's "Redis OSS versions end
 * of life schedule" (ElastiCache User Guide, deprecated-engine-versions.html) gives "Version 6.2
 * or higher" as the recommended upgrade target for every version past end of life (2.x on
 * 2023-01-13, 3.2.x on 2023-07-31) and deprecates 5.0.0-5.0.5; Redis OSS 4 and 5 left standard
 * support on 2026-01-31 (then paid Extended Support). The floor is therefore 6.2 by default.
 * Redis OSS 6 (6.0 and 6.2 alike) is reported to leave standard support on 2027-01-31
 * (dev.classmethod.jp/articles/2026-1-31-elasticache-for-redis-oss-4-5, citing the AWS
 * announcement; review 22, 2e). We found no AWS page stating it (the extended-support page names
 * only 4 and 5), so 6.2 stays the default and the date is only in the message and
 * docs/policies.md; raise `minRedisVersion` to "7.0" once AWS publishes it.
 * Version strings follow the provider (elasticache/cluster.d.ts `engineVersion`): "7.1", "6.2",
 * "6.x" (the latest 6 at creation, i.e. 6.2) or a full "5.0.6".
 */

export const DEFAULT_MIN_REDIS_VERSION = "6.2";

/** [major, minor] of an engine version; "x" as minor counts as the newest minor. */
export function parseEngineVersion(v: string): [number, number] | undefined {
  const m = /^(\d+)(?:\.(\d+|x))?(?:\.\d+)?$/.exec(v.trim());
  if (!m) return undefined;
  const minor = m[2] === undefined ? 0 : m[2] === "x" ? Number.POSITIVE_INFINITY : Number(m[2]);
  return [Number(m[1]), minor];
}

/** True if `version` is below `min` (both "major.minor…"); unparseable versions are not judged. */
export function versionBelow(version: string, min: string): boolean {
  const a = parseEngineVersion(version);
  const b = parseEngineVersion(min);
  if (!a || !b) return false;
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}
