/**
 * The provider facts the layer-5 applier decides from, read from the source at the pinned
 * versions and kept with their commits and paths (docker-provider.json, docker-read.json,
 * engine-steps.md beside this file). Nothing here is our reading of the docs: each entry names
 * the line it came from. A field the table does not classify is an error, never a guess.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export type FieldKind = "forceNew" | "update" | "ignored" | "computed-only";

export interface FieldFact {
  readonly tf: string;
  readonly kind: FieldKind;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly default?: unknown;
  readonly diffSuppress?: string | null;
  readonly source: string;
  readonly note?: string;
  readonly subFields?: Record<string, { tf: string; kind: FieldKind; default?: unknown }>;
}

export interface ResourceFacts {
  readonly tf: string;
  readonly deleteBeforeReplace: boolean;
  readonly deleteBeforeReplaceSource: string;
  readonly fields: Readonly<Record<string, FieldFact>>;
  readonly collections?: Readonly<
    Record<string, { type: "TypeSet" | "TypeList" | "TypeMap"; source: string }>
  >;
}

export interface ClientVersionCheck {
  readonly field: string;
  readonly minApi: string;
  readonly error: string;
  readonly source: string;
}

interface ProviderFactsFile {
  readonly provenance: Record<string, { commit: string; tag?: string; version?: string }>;
  readonly resources: Readonly<Record<string, ResourceFacts>>;
  readonly clientVersionChecks: readonly ClientVersionCheck[];
}

export const CONTAINER = "docker:index/container:Container";
export const NETWORK = "docker:index/network:Network";
export const VOLUME = "docker:index/volume:Volume";

export const PROVIDER_FACTS = JSON.parse(
  readFileSync(join(__dirname, "docker-provider.json"), "utf8"),
) as ProviderFactsFile;

export class UnclassifiedField extends Error {}

export function resourceFacts(type: string): ResourceFacts {
  const r = PROVIDER_FACTS.resources[type];
  if (!r) throw new UnclassifiedField(`the provider table has no resource type ${type}`);
  return r;
}

/** A field's fact; a field the table lacks throws, so an emulation never guesses. */
export function fieldFact(type: string, field: string): FieldFact {
  const f = resourceFacts(type).fields[field];
  if (!f) {
    throw new UnclassifiedField(
      `${type}.${field} is not in test/docker/facts/docker-provider.json: classify it from the provider's schema first`,
    );
  }
  return f;
}

export function isSet(type: string, field: string): boolean {
  return resourceFacts(type).collections?.[field]?.type === "TypeSet";
}
