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
 *   (pkg/backend/updates.go). The Pulumi Cloud back end passes the service's string through
 *   unchecked (pkg/backend/httpstate/backend.go, GetHistory: `backend.UpdateResult(update.Result)`),
 *   and the service's type also has "not-started" (sdk/go/common/apitype/history.go,
 *   NotStartedResult); an update can be completed as "cancelled" (apitype/updates.go,
 *   UpdateStatusCancelled). `result` is `omitempty`, so it may be absent. Only "succeeded" is a
 *   release that ran healthy; anything else is skipped and listed. `kind` is apitype.UpdateKind:
 *   "update", "preview", "refresh", "rename", "destroy", "import" (sdk/go/common/apitype/history.go).
 * - A self-managed back end writes an update's entry only after the engine returns
 *   (pkg/backend/diy/backend.go, apply: `addToHistory` after `engine.Update`), so an `up` that was
 *   killed (SIGKILL, a CI timeout, a lost SSH session) leaves no entry at all, while the config
 *   and some containers are already at its image. So the current image is read from the live
 *   config (`pulumi config get --path api.image`), never from the newest entry.
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

/**
 * The object a `<project>:<key>` config entry holds; throws when it is hidden as a secret.
 * `where` names the config ("update 7 (...)"), `shownBy` the command that hid it.
 */
function objectOf(
  config: HistoryEntry["config"],
  key: string,
  project: string,
  where: string,
  shownBy: string,
): unknown {
  const v = config?.[`${project}:${key}`];
  if (v === undefined) return undefined;
  if (v.secret && v.value === undefined) {
    throw new RollbackError(
      `\`${key}\` in ${where} is secret (a value inside it was set with --secret), so \`${shownBy}\` hides it and rollback cannot read the image: keep secrets out of \`${key}\` (secretEnv holds them) or set the image yourself with \`pulumi config set --path ${key}.image <ref>\``,
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

/** `workers` by name with the image each names (a worker without one is left out). */
function imagesOf(w: unknown): Record<string, string> {
  const workers: Record<string, string> = {};
  if (typeof w === "object" && w !== null) {
    for (const [name, spec] of Object.entries(w)) {
      const wi = imageIn(spec);
      if (wi !== undefined) workers[name] = wi;
    }
  }
  return workers;
}

/** The release an `up` entry records, or undefined when its config names no API image. */
export function releaseOf(e: HistoryEntry, project = PROJECT): Release | undefined {
  const where = describeUpdate(e);
  const image = imageIn(objectOf(e.config, "api", project, where, "pulumi stack history"));
  if (image === undefined) return undefined;
  const w = objectOf(e.config, "workers", project, where, "pulumi stack history");
  return {
    version: e.version,
    startTime: e.startTime,
    result: e.result ?? "",
    image,
    workers: imagesOf(w),
  };
}

/** The stack's live config (`pulumi config`): what the stack runs, or was last asked to run. */
export interface LiveConfig {
  /** `api.image`. */
  readonly image: string;
  /** Workers by name with the image each one names. */
  readonly workers: Readonly<Record<string, string>>;
}

/**
 * The image `pulumi config get --path api.image` printed. On a key inside an object it prints
 * the leaf as plain text and a newline (pkg/cmd/pulumi/config/config.go, getConfig:
 * `fmt.Fprintf(out, "%v\n", raw)`; a string leaf marshals to itself, sdk/go/common/resource/config
 * object.go MarshalString and plaintext.go marshalText). ESC environment diagnostics may follow
 * after a blank line, so only the first line counts.
 */
export function liveImage(text: string): string {
  const image = text.split("\n", 1)[0]!.trim();
  if (image === "" || /\s/.test(image)) {
    throw new RollbackError(
      "`pulumi config get --path api.image` printed no image reference: set one with `pulumi config set --path api.image <ref>`",
    );
  }
  return image;
}

/**
 * The workers in the output of `pulumi config --json` (pkg/cmd/pulumi/config/config.go,
 * listConfig: configValueJSON by "<namespace>:<name>", a secure value without `value`).
 */
export function liveWorkers(text: string, project = PROJECT): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RollbackError("`pulumi config --json` did not print JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new RollbackError("`pulumi config --json` did not print an object of config values");
  }
  const config = json as Record<string, ConfigValueJSON>;
  return imagesOf(objectOf(config, "workers", project, "the stack's config", "pulumi config"));
}

export interface RollbackPlan {
  /** The live config: what the stack runs, or what an `up` that never ended was rolling out. */
  readonly current: LiveConfig;
  /**
   * The newest `up` in the history with an `api.image`, whatever its result. Its image differs
   * from the config's after an `up` that left no entry, or a config changed without an `up`.
   */
  readonly recorded?: Release;
  /** The newest succeeded `up` whose API image differs from the config's. */
  readonly target: Release;
  /** `up`s newer than the target that did not succeed (failed, in progress, not started, ...). */
  readonly skipped: readonly Release[];
  /**
   * Workers that name the API's image in the config and exist in `target`: they go back with
   * it, to the image they had there. Workers with an image of their own are left alone.
   */
  readonly workers: Readonly<Record<string, string>>;
  /** Workers that name the API's image in the config but did not exist in `target`. */
  readonly newWorkers: readonly string[];
  /** Workers with an image of their own in the config: not touched. */
  readonly ownImage: readonly string[];
}

/** What a page of history (newest first, so far) says: a plan, or read the next page. */
export type Decision = { readonly plan: RollbackPlan } | { readonly more: true };

/**
 * Chooses the rollback from the entries read so far (newest first). `complete` says the
 * history has no more pages; without a target then, there is nothing to roll back to.
 *
 * "Current" is the live config's `api.image`, not the newest entry: an `up` killed on a
 * self-managed back end has no entry. The target is the newest `up` whose result is
 * "succeeded" and whose image is another one; every `up` before it (newer) that did not
 * succeed is skipped and listed, whatever its result says.
 */
export function chooseRollback(
  entries: readonly HistoryEntry[],
  complete: boolean,
  live: LiveConfig,
  project = PROJECT,
): Decision {
  let recorded: Release | undefined;
  const skipped: Release[] = [];
  for (const e of entries) {
    if (e.kind !== "update") continue;
    const r = releaseOf(e, project);
    if (r === undefined) continue;
    recorded ??= r;
    if (r.result !== "succeeded") {
      skipped.push(r);
      continue;
    }
    if (r.image === live.image) continue;
    const workers: Record<string, string> = {};
    const newWorkers: string[] = [];
    const ownImage: string[] = [];
    for (const [name, image] of Object.entries(live.workers)) {
      if (image !== live.image) {
        ownImage.push(name);
        continue;
      }
      const before = r.workers[name];
      if (before === undefined) newWorkers.push(name);
      else if (before !== image) workers[name] = before;
    }
    return {
      plan: { current: live, recorded, target: r, skipped, workers, newWorkers, ownImage },
    };
  }
  if (!complete) return { more: true };
  if (recorded === undefined) {
    throw new RollbackError(
      "the stack's history has no `pulumi up` with an `api.image`: there is nothing to roll back; deploy with `pulumi up` first",
    );
  }
  throw new RollbackError(
    `no successful update in the stack's history ran an API image other than ${live.image} (the one its config names): there is nothing to roll back to; set one with \`pulumi config set --path api.image <ref>\` and run \`pulumi up\``,
  );
}
