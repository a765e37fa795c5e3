/**
 * `npm run maintenance -- --stack <name> on|off|status`, against the stack's Docker host
 * (DOCKER_HOST or --docker-host, as `npm run verify`). Exit 0 on success, 1 when the switch
 * failed, 2 when the command itself cannot run.
 */
import { parseArgs } from "node:util";
import Docker from "dockerode";
import { dockerOptions } from "../verify/engine";
import { readOutputsFile, readStackOutputs } from "../verify/outputs";
import { MaintenanceError, maintenanceOn, setMaintenance } from "./maintenance";

const USAGE = `usage: npm run maintenance -- (--stack <name> | --outputs <file.json>) on|off|status [--docker-host <url>]

  on       every request but the API's health path gets the maintenance page (503, Retry-After)
  off      back to normal
  status   prints on or off

  The edge proxy reloads; it is not restarted. The next \`pulumi up\` that changes the edge's
  config sets it back to \`edge.maintenance.enabled\` in the stack file.`;

class UsageError extends Error {}

export async function maintenanceMain(
  argv: string[],
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        stack: { type: "string" },
        outputs: { type: "string" },
        "docker-host": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) {
      log(USAGE);
      return 0;
    }
    if ((values.stack === undefined) === (values.outputs === undefined)) {
      throw new UsageError("pass --stack <name> or --outputs <file.json>");
    }
    const action = positionals[0];
    if (positionals.length !== 1 || !["on", "off", "status"].includes(action ?? "")) {
      throw new UsageError("say on, off or status");
    }
    const outputs =
      values.outputs !== undefined
        ? await readOutputsFile(values.outputs)
        : await readStackOutputs(values.stack as string);
    const edge = outputs.edgeContainerName;
    if (edge === undefined) {
      throw new UsageError(
        "the stack has no edge proxy (output edgeContainerName): maintenance mode is the edge's; add an `edge` block to the stack file",
      );
    }
    const docker = new Docker(dockerOptions(values["docker-host"] ?? process.env.DOCKER_HOST));
    if (action === "status") {
      log((await maintenanceOn(docker, edge)) ? "on" : "off");
      return 0;
    }
    const started = performance.now();
    const before = await setMaintenance(docker, edge, action === "on");
    const ms = Math.round(performance.now() - started);
    log(`maintenance ${action} (was ${before ? "on" : "off"}); ${edge} reloaded in ${ms} ms`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e instanceof Error && e.name === "OutputsError")) {
      err(`maintenance: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof TypeError && /Unknown option|parseArgs|positional/.test(String(e))) {
      err(`maintenance: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    err(`maintenance failed: ${e instanceof MaintenanceError ? e.message : (e as Error).message}`);
    return 1;
  }
}
