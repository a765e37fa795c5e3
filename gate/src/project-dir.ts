import * as fs from "node:fs";
import * as path from "node:path";

/** The folder holding Pulumi.yaml, found from here whether this runs as .ts, from bin/ or bundled. */
export const PROJECT_DIR = findProjectDir(__dirname);

function findProjectDir(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${from}`);
  }
}
