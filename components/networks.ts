import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { TYPES } from "./types";

export interface NetworksArgs {
  /** Labels for both networks. @default [] */
  readonly labels?: { label: string; value: string }[];
  /**
   * Create the internal backend network for a local Redis. A managed or external cache
   * is reached over the edge network, so it needs none. @default true
   */
  readonly backend?: boolean;
  /**
   * Create a third, non-internal network for a Redis debug port. Docker does not publish
   * the ports of a container whose only networks are internal (moby/moby#36174), so a
   * published debug port needs one; it is kept apart from `edge` so the API never reaches
   * Redis through it. @default false
   */
  readonly debug?: boolean;
  /**
   * Create the monitoring networks: `monitoring` (internal) where Prometheus scrapes the
   * services, and `alerts` (not internal) for Alertmanager's way out to its receiver and a
   * development UI port. @default false
   */
  readonly monitoring?: boolean;
}

/**
 * The networks a stack gets. `backend` is `internal: true`: Docker gives it no route out
 * and cannot publish its ports, so Redis on it is unreachable from outside the host
 * whatever else goes wrong. `edge` carries published ports and outbound traffic. Neither
 * has a fixed name (Pulumi adds a random suffix), so dev and prod can share one Docker host.
 *
 * @example
 * const nets = new Networks("app", {});
 * // nets.backendName, nets.edgeName
 */
export class Networks extends pulumi.ComponentResource {
  public readonly backend?: docker.Network;
  public readonly edge: docker.Network;
  public readonly backendName?: pulumi.Output<string>;
  public readonly edgeName: pulumi.Output<string>;
  public readonly debug?: docker.Network;
  public readonly debugName?: pulumi.Output<string>;
  public readonly monitoringName?: pulumi.Output<string>;
  public readonly alertsName?: pulumi.Output<string>;

  constructor(name: string, args: NetworksArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.Networks, name, {}, opts);
    const a = resolveNetworksArgs(args);
    if (a.backend) {
      this.backend = this.createNetwork(`${name}-backend`, true, a.labels);
      this.backendName = this.backend.name;
    }
    this.edge = this.createNetwork(`${name}-edge`, false, a.labels);
    this.edgeName = this.edge.name;
    if (a.debug) {
      this.debug = this.createNetwork(`${name}-debug`, false, a.labels);
      this.debugName = this.debug.name;
    }
    if (a.monitoring) {
      this.monitoringName = this.createNetwork(`${name}-monitoring`, true, a.labels).name;
      this.alertsName = this.createNetwork(`${name}-alerts`, false, a.labels).name;
    }
    this.registerOutputs({
      backendName: this.backendName,
      edgeName: this.edgeName,
      debugName: this.debugName,
      monitoringName: this.monitoringName,
      alertsName: this.alertsName,
    });
  }

  private createNetwork(
    name: string,
    internal: boolean,
    labels: { label: string; value: string }[],
  ): docker.Network {
    return new docker.Network(name, { internal, driver: "bridge", labels }, { parent: this });
  }
}

/** Every default in one place, with `??` so an explicit `undefined` still gets it. */
export function resolveNetworksArgs(args: NetworksArgs): Required<NetworksArgs> {
  return {
    labels: args.labels ?? [],
    backend: args.backend ?? true,
    debug: args.debug ?? false,
    monitoring: args.monitoring ?? false,
  };
}
