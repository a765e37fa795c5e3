import * as pulumi from "@pulumi/pulumi";
// Submodule imports: the root of @pulumi/aws costs seconds of type-checking and load time.
import * as ec2 from "@pulumi/aws/ec2";
import * as ecs from "@pulumi/aws/ecs";
import * as lb from "@pulumi/aws/lb";
import * as vpc from "@pulumi/aws/vpc";
import { argError, TYPES } from "./types";

/** The defaults every stack gets; the config schema (stacks/config/) reads them from here. */
export const ECS_PLATFORM_DEFAULTS = {
  // AWS docs, ELB User Guide, "Security policies for your Application Load Balancer": the
  // recommended policy, TLS 1.3 with TLS 1.2 fallback and forward-secret ciphers only.
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
  sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
  ingressCidrs: ["0.0.0.0/0"],
  idleTimeoutSeconds: 60,
} as const satisfies Partial<EcsPlatformArgs>;

export interface EcsPlatformArgs {
  /** The VPC the ALB and the tasks run in, "vpc-…". */
  readonly vpcId: pulumi.Input<string>;
  /** Public subnets for the ALB, at least two, in different availability zones. */
  readonly publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** An ACM certificate ARN for the HTTPS listener, "arn:aws:acm:…". */
  readonly certificateArn: pulumi.Input<string>;
  /** The listener's TLS policy, an "ELBSecurityPolicy-TLS13-…" name. @default "ELBSecurityPolicy-TLS13-1-2-2021-06" */
  readonly sslPolicy?: string;
  /** CIDR blocks that may reach the ALB on 443 and 80. @default ["0.0.0.0/0"] */
  readonly ingressCidrs?: string[];
  /** Seconds an idle connection stays open, 1–4000. @default 60 */
  readonly idleTimeoutSeconds?: number;
  /** Refuse to delete the ALB (`enableDeletionProtection`). @default `production` */
  readonly deletionProtection?: boolean;
  /** A production stack: picks the defaults that depend on it. */
  readonly production: boolean;
  /** The stack name, for descriptions. */
  readonly stack: string;
}

type Resolved = Required<EcsPlatformArgs>;

/** What every `EcsService` needs from the platform it runs on. */
export interface EcsPlatformRef {
  readonly vpcId: pulumi.Output<string>;
  readonly clusterArn: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly albSecurityGroupId: pulumi.Output<string>;
  /** "app/<name>/<id>", for the ALBRequestCountPerTarget resource label. */
  readonly albArnSuffix: pulumi.Output<string>;
  readonly httpsListenerArn: pulumi.Output<string>;
}

/**
 * The shared half of `platform: ecs`: an ECS cluster with Container Insights, and an internet-
 * facing ALB in the public subnets with an HTTPS listener (ACM certificate, TLS 1.3 policy) and
 * an HTTP listener that only redirects to HTTPS. The HTTPS listener answers 404 until an
 * `EcsService` adds its rule. The ALB's security group accepts 443 and 80 from the configured
 * CIDRs and has no egress until each web service allows its own port to its own tasks.
 *
 * @example
 * const platform = new EcsPlatform("ecs", { vpcId: "vpc-0abc", publicSubnetIds: ["subnet-a", "subnet-b"],
 *   certificateArn: "arn:aws:acm:eu-central-1:123456789012:certificate/…", production: true, stack: "prod-ecs" });
 * // platform.url is "https://<alb>.eu-central-1.elb.amazonaws.com"
 */
export class EcsPlatform extends pulumi.ComponentResource implements EcsPlatformRef {
  public readonly cluster: ecs.Cluster;
  public readonly loadBalancer: lb.LoadBalancer;
  public readonly httpsListener: lb.Listener;
  public readonly vpcId: pulumi.Output<string>;
  public readonly clusterArn: pulumi.Output<string>;
  public readonly clusterName: pulumi.Output<string>;
  public readonly albSecurityGroupId: pulumi.Output<string>;
  public readonly albArnSuffix: pulumi.Output<string>;
  public readonly albDnsName: pulumi.Output<string>;
  public readonly httpsListenerArn: pulumi.Output<string>;
  /** "https://<ALB DNS name>". */
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: EcsPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.EcsPlatform, name, {}, opts);
    const a = resolveEcsPlatformArgs(args);
    this.checkArgs(a);
    this.cluster = this.createCluster(name);
    const sg = this.createAlbSecurityGroup(name, a);
    this.loadBalancer = this.createLoadBalancer(name, a, sg);
    this.httpsListener = this.createHttpsListener(name, a);
    this.createHttpRedirect(name);
    this.vpcId = pulumi.output(a.vpcId);
    this.clusterArn = this.cluster.arn;
    this.clusterName = this.cluster.name;
    this.albSecurityGroupId = sg.id;
    this.albArnSuffix = this.loadBalancer.arnSuffix;
    this.albDnsName = this.loadBalancer.dnsName;
    this.httpsListenerArn = this.httpsListener.arn;
    this.url = pulumi.interpolate`https://${this.albDnsName}`;
    this.registerOutputs({
      clusterName: this.clusterName,
      albDnsName: this.albDnsName,
      url: this.url,
      albSecurityGroupId: this.albSecurityGroupId,
      httpsListenerArn: this.httpsListenerArn,
    });
  }

  /** The second line behind the config schema. */
  private checkArgs(a: Resolved): void {
    if (!a.sslPolicy.startsWith("ELBSecurityPolicy-TLS13-")) {
      throw argError(
        this,
        `\`sslPolicy\` ("${a.sslPolicy}") allows TLS below 1.2 or lacks TLS 1.3: use an "ELBSecurityPolicy-TLS13-…" policy such as "${ECS_PLATFORM_DEFAULTS.sslPolicy}"`,
      );
    }
    if (a.ingressCidrs.length === 0) {
      throw argError(this, "`ingressCidrs` is empty: nothing could reach the load balancer");
    }
    const t = a.idleTimeoutSeconds;
    // AWS docs, ELB User Guide, "Connection idle timeout": 1–4000 seconds.
    if (!Number.isInteger(t) || t < 1 || t > 4000) {
      throw argError(this, `\`idleTimeoutSeconds\` (${t}) must be a whole number from 1 to 4000`);
    }
  }

  private createCluster(name: string): ecs.Cluster {
    // AWS docs, "Amazon ECS Container Insights": the cluster setting `containerInsights`.
    return new ecs.Cluster(
      `${name}-cluster`,
      { settings: [{ name: "containerInsights", value: "enabled" }] },
      { parent: this },
    );
  }

  private createAlbSecurityGroup(name: string, a: Resolved): ec2.SecurityGroup {
    // No inline rules: the provider then removes AWS's default allow-all egress rule on create
    // (terraform-provider-aws docs, aws_security_group: "Terraform will remove this default
    // rule"), and each web service adds egress to its own tasks' port only.
    const sg = new ec2.SecurityGroup(
      `${name}-alb-sg`,
      { vpcId: a.vpcId, description: `ALB for api-stack ${a.stack}: 443 and 80 in` },
      { parent: this },
    );
    for (const port of [443, 80]) {
      a.ingressCidrs.forEach(
        (cidr, i) =>
          new vpc.SecurityGroupIngressRule(
            `${name}-alb-${port}-${i}`,
            {
              securityGroupId: sg.id,
              ipProtocol: "tcp",
              fromPort: port,
              toPort: port,
              ...(cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
              description:
                port === 443 ? "HTTPS from allowed CIDR" : "HTTP (redirect) from allowed CIDR",
            },
            { parent: this },
          ),
      );
    }
    return sg;
  }

  private createLoadBalancer(name: string, a: Resolved, sg: ec2.SecurityGroup): lb.LoadBalancer {
    return new lb.LoadBalancer(
      `${name}-alb`,
      {
        loadBalancerType: "application",
        internal: false,
        subnets: a.publicSubnetIds,
        securityGroups: [sg.id],
        idleTimeout: a.idleTimeoutSeconds,
        // Malformed headers are dropped, not forwarded (AWS Security Hub control ELB.4).
        dropInvalidHeaderFields: true,
        enableDeletionProtection: a.deletionProtection,
      },
      { parent: this },
    );
  }

  private createHttpsListener(name: string, a: Resolved): lb.Listener {
    return new lb.Listener(
      `${name}-https`,
      {
        loadBalancerArn: this.loadBalancer.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: a.sslPolicy,
        certificateArn: a.certificateArn,
        // Each EcsService adds a rule; a path nobody serves is a plain 404 from the ALB.
        defaultActions: [
          {
            type: "fixed-response",
            fixedResponse: {
              contentType: "text/plain",
              statusCode: "404",
              messageBody: "not found",
            },
          },
        ],
      },
      { parent: this },
    );
  }

  private createHttpRedirect(name: string): lb.Listener {
    return new lb.Listener(
      `${name}-http`,
      {
        loadBalancerArn: this.loadBalancer.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [
          {
            type: "redirect",
            redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
          },
        ],
      },
      { parent: this },
    );
  }
}

/** Every default in one place, with `??` so an explicit `undefined` still gets it. */
export function resolveEcsPlatformArgs(args: EcsPlatformArgs): Resolved {
  const d = ECS_PLATFORM_DEFAULTS;
  return {
    ...args,
    sslPolicy: args.sslPolicy ?? d.sslPolicy,
    ingressCidrs: args.ingressCidrs ?? [...d.ingressCidrs],
    idleTimeoutSeconds: args.idleTimeoutSeconds ?? d.idleTimeoutSeconds,
    deletionProtection: args.deletionProtection ?? args.production,
  };
}
