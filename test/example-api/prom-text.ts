/**
 * Reads Prometheus's text exposition format, enough for the tests to assert on what a scrape
 * would store: sample lines only, labels unescaped, no type or help checking.
 */

/** One exposition line: `name{label="value",…} value`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The text format's sample lines (prometheus/docs, "Exposition formats"); comments skipped. */
export function parseMetrics(text: string): Sample[] {
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (m === null) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, k, v] of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
        labels[k as string] = (v as string).replace(/\\(.)/g, (_, c: string) =>
          c === "n" ? "\n" : c,
        );
      return { name: m[1] as string, labels, value: Number(m[3]) };
    });
}

/** The sample with exactly these labels, or undefined. */
export function valueOf(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  return samples.find(
    (s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want,
  )?.value;
}

/** How much each sample grew between two scrapes; a sample first seen in `after` grew from 0. */
export function growth(before: readonly Sample[], after: readonly Sample[]) {
  return (name: string, labels: Readonly<Record<string, string>> = {}): number =>
    (valueOf(after, name, labels) ?? 0) - (valueOf(before, name, labels) ?? 0);
}
