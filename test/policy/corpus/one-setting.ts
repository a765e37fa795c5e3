/**
 * What a bad corpus case changes against its good twin, as `name.property`, `+name` (a resource
 * added), `-name` (one removed) or `name.propertyDependencies.property` (where a property's value
 * came from, which AnalyzeStack judges at preview). A case that changes exactly one setting
 * cannot be refused for an unrelated reason.
 */
import type { ResourceRecord } from "../../../gate";

export function changedSettings(
  stack: readonly ResourceRecord[],
  twin: readonly ResourceRecord[],
): string[] {
  const changed: string[] = [];
  const byUrn = new Map(twin.map((r) => [r.urn, r]));
  for (const r of stack) {
    const t = byUrn.get(r.urn);
    if (!t) changed.push(`+${r.name}`);
    else {
      for (const k of new Set([...Object.keys(t.properties), ...Object.keys(r.properties)]))
        if (JSON.stringify(t.properties[k]) !== JSON.stringify(r.properties[k]))
          changed.push(`${r.name}.${k}`);
      const [a, b] = [t.propertyDependencies ?? {}, r.propertyDependencies ?? {}];
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
        if (JSON.stringify(a[k] ?? []) !== JSON.stringify(b[k] ?? []))
          changed.push(`${r.name}.propertyDependencies.${k}`);
    }
  }
  for (const r of twin) if (!stack.some((x) => x.urn === r.urn)) changed.push(`-${r.name}`);
  return changed;
}
