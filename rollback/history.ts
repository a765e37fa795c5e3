/**
 * Which API image a rollback goes back to, from `pulumi stack history --json`. Pure: text in,
 * a decision out; rollback/index.ts runs the commands.
 *
 * The JSON's shape is the CLI's, not a guess: pulumi/pulumi pkg/cmd/pulumi/stack/stack_history.go
 * (commit 1b5949891b3cefcb9974752b24a5ecef0acc86c8), struct `updateInfoJSON` ("we should not
 * change existing fields"), filled by `buildUpdatesJSON`:
 * - `config` is keyed by `config.Key.String()`, i.e. "<namespace>:<name>" ("api-stack:api"); each
 *   value is a `configValueJSON` {value?, objectValue?, secret}. An object set with `--path` has
 *   its JSON text in `value` and the parsed object in `objectValue`.
 * - A secure value has no `value` unless `--show-secrets` was passed (only then is there a
 *   decrypter). `Secure()` is true for an object with any secret leaf
 *   (sdk/go/common/resource/config/value.go, NewSecureObjectValue), so such an object is hidden
 *   whole. Rollback never passes --show-secrets.
 * - `result` is backend.UpdateResult: "in-progress", "succeeded" or "failed"
 *   (pkg/backend/updates.go); `kind` is apitype.UpdateKind: "update", "preview", "refresh",
 *   "rename", "destroy", "import" (sdk/go/common/apitype/history.go).
 * - Order: newest first. The self-managed backend reverses its file listing "to be in most
 *   recent order" (pkg/backend/diy/state.go, getHistory) and leaves `version` at 0 (backend.go,
 *   apply: the UpdateInfo it saves sets no Version), so entries are never sorted by version here;
 *   the Pulumi Cloud backend returns the service's order (pkg/backend/httpstate/backend.go,
 *   GetHistory).
 */
import { PROJECT } from "../stacks/config/fields";

/** One entry of `pulumi stack history --json` (updateInfoJSON). */
export interface HistoryEntry {
  readonly version: number;
  readonly kind: string;
  readonly startTime: string;
  readonly message?: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly config?: Readonly<Record<string, ConfigValueJSON>>;
  readonly result?: string;
  readonly endTime?: string;
  readonly resourceChanges?: Readonly<Record<string, number>>;
}

/** configValueJSON: `value` and `objectValue` are absent for a secret without --show-secrets. */
export interface ConfigValueJSON {
  readonly value?: string;
  readonly objectValue?: unknown;
  readonly secret: boolean;
}

/** A command-line or history problem: one line, exit 2, no stack trace. */
export class RollbackError extends Error {
  override readonly name = "RollbackError";
}

/** Parses one page of `pulumi stack history --json`; never quotes the text (it may hold config). */
export function parseHistory(text: string): HistoryEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RollbackError("`pulumi stack history --json` did not print JSON");
  }
  if (!Array.isArray(json)) {
    throw new RollbackError("`pulumi stack history --json` did not print a list of updates");
  }
  return json.map((e: unknown, i) => {
    const ok =
      typeof e === "object" &&
      e !== null &&
      typeof (e as HistoryEntry).kind === "string" &&
      typeof (e as HistoryEntry).startTime === "string";
    if (!ok) {
      throw new RollbackError(
        `\`pulumi stack history --json\`: entry ${i} has no kind or startTime; is this the Pulumi CLI?`,
      );
    }
    return e as HistoryEntry;
  });
}

/** An update that ran `up`, with the API image its config asked for. */
export interface Release {
  readonly version: number;
  readonly startTime: string;
  readonly result: string;
  readonly image: string;
  /** Workers by name with the image each one ran. */
  readonly workers: Readonly<Record<string, string>>;
}

/** "update 7 (2026-12-06T10:00:00Z)", or by time alone where the backend keeps no version. */
export function describeUpdate(r: { version: number; startTime: string }): string {
  return r.version > 0 ? `update ${r.version} (${r.startTime})` : `the update of ${r.startTime}`;
}

/** The object a `<project>:<key>` config entry holds; throws when it is hidden as a secret. */
function objectOf(e: HistoryEntry, key: string, project: string): unknown {
  const v = e.config?.[`${project}:${key}`];
  if (v === undefined) return undefined;
  if (v.secret && v.value === undefined) {
    throw new RollbackError(
      `\`${key}\` in ${describeUpdate(e)} is secret (a value inside it was set with --secret), so \`pulumi stack history\` hides it and rollback cannot read the image: keep secrets out of \`${key}\` (secretEnv holds them) or set the image yourself with \`pulumi config set --path ${key}.image <ref>\``,
    );
  }
  if (v.objectValue !== undefined) return v.objectValue;
  if (v.value === undefined) return undefined;
  try {
    return JSON.parse(v.value);
  } catch {
    return undefined;
  }
}

const imageIn = (o: unknown): string | undefined => {
  const image = (o as { image?: unknown } | undefined)?.image;
  return typeof image === "string" && image !== "" ? image : undefined;
};

/** The release an `up` entry records, or undefined when its config names no API image. */
export function releaseOf(e: HistoryEntry, project = PROJECT): Release | undefined {
  const image = imageIn(objectOf(e, "api", project));
  if (image === undefined) return undefined;
  const workers: Record<string, string> = {};
  const w = objectOf(e, "workers", project);
  if (typeof w === "object" && w !== null) {
    for (const [name, spec] of Object.entries(w)) {
      const wi = imageIn(spec);
      if (wi !== undefined) workers[name] = wi;
    }
  }
  return { version: e.version, startTime: e.startTime, result: e.result ?? "", image, workers };
}

export interface RollbackPlan {
  /** The newest finished `up`: what the stack runs, or tried to run if it failed. */
  readonly current: Release;
  /** The newest succeeded `up` before it whose API image differs. */
  readonly target: Release;
  /** Failed `up`s passed over between them (their images never counted as running). */
  readonly skipped: readonly Release[];
  /**
   * Workers that ran the API's image in `current` and exist in `target`: they go back with it,
   * to the image they had there. Workers with an image of their own are left alone.
   */
  readonly workers: Readonly<Record<string, string>>;
  /** Workers that ran the API's image in `current` but did not exist in `target`. */
  readonly newWorkers: readonly string[];
  /** Workers with an image of their own in `current`: not touched. */
  readonly ownImage: readonly string[];
}

/** What a page of history (newest first, so far) says: a plan, or read the next page. */
export type Decision = { readonly plan: RollbackPlan } | { readonly more: true };

const finished = (r: string | undefined) => r === "succeeded" || r === "failed";

/**
 * Chooses the rollback from the entries read so far (newest first). `complete` says the
 * history has no more pages; without a target then, there is nothing to roll back to.
 *
 * "Current" is the newest finished `up`, succeeded or failed: after a failed release the
 * stack's config still names it, and going back means the last release that succeeded.
 * The target must have succeeded: a failed update's image never ran healthy.
 */
export function chooseRollback(
  entries: readonly HistoryEntry[],
  complete: boolean,
  project = PROJECT,
): Decision {
  const ups = entries.filter((e) => e.kind === "update" && finished(e.result));
  let current: Release | undefined;
  const skipped: Release[] = [];
  for (const e of ups) {
    const r = releaseOf(e, project);
    if (r === undefined) continue;
    if (current === undefined) {
      current = r;
      continue;
    }
    if (r.result !== "succeeded") {
      skipped.push(r);
      continue;
    }
    if (r.image === current.image) continue;
    const workers: Record<string, string> = {};
    const newWorkers: string[] = [];
    const ownImage: string[] = [];
    for (const [name, image] of Object.entries(current.workers)) {
      if (image !== current.image) {
        ownImage.push(name);
        continue;
      }
      const before = r.workers[name];
      if (before === undefined) newWorkers.push(name);
      else if (before !== image) workers[name] = before;
    }
    return { plan: { current, target: r, skipped, workers, newWorkers, ownImage } };
  }
  if (!complete) return { more: true };
  if (current === undefined) {
    throw new RollbackError(
      "the stack's history has no finished `pulumi up` with an `api.image`: there is nothing to roll back; deploy with `pulumi up` first",
    );
  }
  throw new RollbackError(
    `no earlier successful update ran an API image other than ${current.image} (the newest, ${describeUpdate(current)}): there is nothing to roll back to; set one with \`pulumi config set --path api.image <ref>\` and run \`pulumi up\``,
  );
}
