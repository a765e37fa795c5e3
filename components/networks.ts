import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { TYPES } from "./types";

export interface NetworksArgs {
  /** Labels for both networks. @default [] */
  readonly labels?: { label: string; value: string }[];
}

/**
 * The two networks every stack gets. `backend` is `internal: true`: Docker gives it no
 * route out and cannot publish its ports, so Redis on it is unreachable from outside
 * the host whatever else goes wrong. `edge` carries published ports. Neither has a fixed
 * name (Pulumi adds a random suffix), so dev and prod can share one Docker host.
 *
 * @example
 * const nets = new Networks("app", {});
 * // nets.backend.name, nets.edge.name
 */
export class Networks extends pulumi.ComponentResource {
  public readonly backend: docker.Network;
  public readonly edge: docker.Network;
  public readonly backendName: pulumi.Output<string>;
  public readonly edgeName: pulumi.Output<string>;

  constructor(name: string, args: NetworksArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.Networks, name, {}, opts);
    const labels = args.labels ?? [];
    this.backend = new docker.Network(
      `${name}-backend`,
      { internal: true, driver: "bridge", labels },
      { parent: this },
    );
    this.edge = new docker.Network(
      `${name}-edge`,
      { internal: false, driver: "bridge", labels },
      { parent: this },
    );
    this.backendName = this.backend.name;
    this.edgeName = this.edge.name;
    this.registerOutputs({ backendName: this.backendName, edgeName: this.edgeName });
  }
}
