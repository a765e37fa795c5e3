import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
// Submodule imports: the root of @pulumi/aws costs seconds of type-checking and load time.
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ecs from "@pulumi/aws/ecs";
import * as lb from "@pulumi/aws/lb";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import {
  ECS_STACK_SECRETS,
  resolveEcsServiceArgs,
  type EcsServiceArgs,
  type ResolvedEcsServiceArgs,
} from "./ecs-service-args";
import {
  createAutoscaling,
  createExecutionRole,
  createSecrets,
  createTarget,
  createTaskRole,
  createTaskSecurityGroup,
} from "./ecs-service-parts";
import { RESERVED_ENV } from "./lib/env";
import { containerDefinition, isRootUser, TMP_VOLUME } from "./lib/fargate";
import { argError, TYPES } from "./types";

export * from "./ecs-service-args";

type Resolved = ResolvedEcsServiceArgs;

/**
 * One service on ECS Fargate, web or worker: its secrets in Secrets Manager, a log group, an
 * execution role that may read only those secrets, an empty task role, a hardened task
 * definition, a security group, behind the ALB a target group and listener rule, the service
 * (private subnets, circuit breaker with rollback, zero-downtime rolling limits) and target-
 * tracking autoscaling. `taskSecurityGroupId` is what the cache's security group should admit.
 *
 * @example
 * const api = new EcsService("api", { kind: "web", platform, image: "ghcr.io/acme/api:1.4.2",
 *   subnetIds: ["subnet-p1", "subnet-p2"], region: "eu-central-1", redis: cache.connection,
 *   secretKey: secrets.secretKey, stack: "prod-ecs" });
 */
export class EcsService extends pulumi.ComponentResource {
  public readonly service: ecs.Service;
  public readonly serviceName: pulumi.Output<string>;
  public readonly taskSecurityGroupId: pulumi.Output<string>;
  public readonly logGroupName: pulumi.Output<string>;
  /** Variable name → the Secrets Manager secret's partial ARN the container names. */
  public readonly secretArns: Record<string, pulumi.Output<string>>;
  /**
   * SHA-256 over the secrets' version ids: changes exactly when a secret gets a new value, and
   * replaces the task definition when it does (see `createTaskDefinition`).
   */
  public readonly secretsRevision: pulumi.Output<string>;
  /** Web services only. */
  public readonly targetGroup?: lb.TargetGroup;
  /** Tasks at deploy time; autoscaling moves the running count after that. */
  public readonly desiredCount: number;

  constructor(name: string, args: EcsServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.EcsService, name, {}, opts);
    const a = this.resolve(args);
    this.checkArgs(a);
    const secrets = createSecrets(
      this,
      name,
      this.secretValues(a),
      this.secretArnPrefix(a.region),
      a.stack,
    );
    this.secretArns = secrets.valueFrom;
    const logGroup = new cloudwatch.LogGroup(
      `${name}-logs`,
      { retentionInDays: a.logRetentionDays },
      { parent: this },
    );
    const exec = createExecutionRole(this, name, secrets.policyResources);
    const taskRole = createTaskRole(this, name, a.enableExecuteCommand);
    this.secretsRevision = secretsRevision(secrets.versionIds);
    const taskDefinition = this.createTaskDefinition(name, a, logGroup, exec.role, taskRole);
    const sg = createTaskSecurityGroup(this, name, a);
    const target = a.targetHealth && createTarget(this, name, a, a.targetHealth);
    this.targetGroup = target?.targetGroup;
    this.desiredCount = a.desiredCount;
    this.service = this.createService(name, a, taskDefinition, sg, target, [exec.policy]);
    this.serviceName = this.service.name;
    createAutoscaling(this, name, a, this.serviceName, target?.targetGroup);
    this.taskSecurityGroupId = sg.id;
    this.logGroupName = logGroup.name;
    this.registerOutputs({
      serviceName: this.serviceName,
      taskSecurityGroupId: this.taskSecurityGroupId,
      logGroupName: this.logGroupName,
    });
  }

  /** Defaults and derived values; a bad timing or size is this component's error. */
  private resolve(args: EcsServiceArgs): Resolved {
    try {
      return resolveEcsServiceArgs(args);
    } catch (e) {
      throw argError(this, `${(e as Error).message} (EcsService args)`);
    }
  }

  /** The second line behind the config schema. */
  private checkArgs(a: Resolved): void {
    const reserved = [...Object.keys(a.env), ...Object.keys(a.secretEnv)].filter((k) =>
      (RESERVED_ENV as readonly string[]).includes(k),
    );
    if (reserved.length > 0) {
      throw argError(this, `env var \`${reserved[0]}\` is set by the stack: remove it from env`);
    }
    if (isRootUser(a.user)) {
      throw argError(
        this,
        `\`user\` ("${a.user}") runs as root: set a non-root uid such as "10001:10001"`,
      );
    }
    const both = Object.keys(a.env).find((k) => k in a.secretEnv);
    if (both !== undefined) {
      throw argError(this, `\`${both}\` is in both \`env\` and \`secretEnv\`: keep it in one`);
    }
    const whole = (v: number, min: number, max = Infinity) =>
      Number.isInteger(v) && v >= min && v <= max;
    if (!whole(a.desiredCount, 1) || !whole(a.minCount, 1) || !whole(a.maxCount, a.minCount)) {
      throw argError(
        this,
        `\`desiredCount\` (${a.desiredCount}), \`minCount\` (${a.minCount}) and \`maxCount\` (${a.maxCount}) must be whole numbers, at least 1, with minCount ≤ maxCount: fix the counts`,
      );
    }
    if (a.desiredCount < a.minCount || a.desiredCount > a.maxCount) {
      throw argError(
        this,
        `\`desiredCount\` (${a.desiredCount}) must lie within \`minCount\`–\`maxCount\` (${a.minCount}–${a.maxCount}): raise maxCount or lower desiredCount`,
      );
    }
    // AWS docs, ELB User Guide, "Listener rules": priority 1–50000; "Path conditions": up to
    // five patterns per condition.
    if (!whole(a.listenerRulePriority, 1, 50_000)) {
      throw argError(
        this,
        `\`listenerRulePriority\` (${a.listenerRulePriority}) must be a whole number from 1 to 50000, unique on the listener`,
      );
    }
    if (a.pathPatterns.length < 1 || a.pathPatterns.length > 5) {
      throw argError(
        this,
        `\`pathPatterns\` has ${a.pathPatterns.length} entries; the ALB takes 1–5: list 1 to 5 path patterns such as "/*"`,
      );
    }
    if (!(a.cpuTargetPercent > 0 && a.cpuTargetPercent <= 100) || !(a.requestsPerTarget >= 1)) {
      throw argError(this, "`cpuTargetPercent` must be 1–100 and `requestsPerTarget` at least 1");
    }
  }

  /**
   * "arn:<partition>:secretsmanager:<region>:<account>:secret:", where the AWS provider creates
   * the secrets: its own region (`region`, the stack's `aws:region`) and the account its
   * credentials belong to. Both invokes run in a preview too: the engine calls the provider's
   * Invoke whatever the mode and answers unknown only when an argument waits on a resource
   * (pulumi/pulumi pkg/resource/deploy/source_eval.go, resmon.Invoke), and these take none.
   */
  private secretArnPrefix(region: pulumi.Input<string>): pulumi.Output<string> {
    const opts = { parent: this };
    const account = getCallerIdentityOutput({}, opts).accountId;
    const partition = getPartitionOutput({}, opts).partition;
    return pulumi.interpolate`arn:${partition}:secretsmanager:${region}:${account}:secret:`;
  }

  /** Every credential goes through Secrets Manager; the container sees them only as `secrets`. */
  private secretValues(a: Resolved): Record<string, pulumi.Input<string>> {
    // Typed by ECS_STACK_SECRETS, which config also reads (names that differ only in case).
    const own: Record<(typeof ECS_STACK_SECRETS)[number], pulumi.Input<string>> = {
      REDIS_URL: a.redis.url,
      REDIS_PASSWORD: a.redis.password,
      SECRET_KEY: a.secretKey,
    };
    return { ...a.secretEnv, ...own };
  }

  private createTaskDefinition(
    name: string,
    a: Resolved,
    logGroup: cloudwatch.LogGroup,
    execRole: pulumi.CustomResource & { arn: pulumi.Output<string> },
    taskRole: pulumi.CustomResource & { arn: pulumi.Output<string> },
  ): ecs.TaskDefinition {
    const size = a.size;
    // Only values known at preview go in: the connection reaches the app as REDIS_URL (a
    // secret), never as plain REDIS_HOST/PORT/TLS/USERNAME, which would come from the cache's
    // endpoint, unknown until the cache exists, and make the whole definition unknown at preview
    // (examples/api/src/config.ts reads REDIS_URL and treats the others as optional).
    const definitions = pulumi
      .all([logGroup.name, a.region, pulumi.all(this.secretArns)])
      .apply(([logGroupName, region, secrets]) => [
        containerDefinition({
          name,
          image: a.image,
          command: a.command,
          user: a.user,
          port: a.kind === "web" ? a.port : undefined,
          environment: { ...a.env },
          secrets,
          logGroup: logGroupName,
          region,
          healthCheck: a.containerHealth,
          stopTimeout: a.stopTimeoutSeconds,
        }),
      ]);
    return new ecs.TaskDefinition(
      `${name}-task`,
      {
        family: `${a.stack}-${name}`,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(size.cpu),
        memory: String(size.memoryMb),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: a.cpuArchitecture },
        executionRoleArn: execRole.arn,
        taskRoleArn: taskRole.arn,
        volumes: [{ name: TMP_VOLUME }],
        containerDefinitions: pulumi.jsonStringify(definitions),
      },
      {
        parent: this,
        // A secret rotated through `pulumi up` replaces only its SecretVersion: the definition
        // names the secret, not the version, so without this ECS would keep the running tasks,
        // which read the old value until they restart (boundless-xyz/boundless#649). A new
        // revision changes the service's `taskDefinition`, and ECS deploys a service whose task
        // definition changes (ECS API Reference, UpdateService: "If the task definition
        // changes, a new deployment is triggered"), rolling within the circuit breaker below.
        // Not an env var: the version ids are unknown at preview whenever a version is new
        // (first deploy, every rotation), which would make all of `containerDefinitions`
        // unknown and every mandatory ECS rule refuse the preview (tried: 12 violations on
        // prod-ecs). The engine diffs the trigger with the last recorded value and replaces
        // on a change (pulumi/pulumi pkg/resource/deploy/step_generator.go, shouldTriggerReplace:
        // an unknown trigger at preview counts as changed; a null old one, a stack from before
        // this option, does not; engine support since v3.208.0, pulumi/pulumi#20936; before
        // v3.226.0 a preview's output-wrapped trigger compared unequal, #22119).
        replacementTrigger: this.secretsRevision,
      },
    );
  }

  private createService(
    name: string,
    a: Resolved,
    taskDefinition: ecs.TaskDefinition,
    sg: pulumi.CustomResource & { id: pulumi.Output<string> },
    target: { targetGroup: lb.TargetGroup; rule: lb.ListenerRule } | undefined,
    after: pulumi.Resource[],
  ): ecs.Service {
    return new ecs.Service(
      `${name}-service`,
      {
        cluster: a.platform.clusterArn,
        taskDefinition: taskDefinition.arn,
        launchType: "FARGATE",
        desiredCount: a.desiredCount,
        networkConfiguration: {
          subnets: a.subnetIds,
          securityGroups: [sg.id],
          assignPublicIp: false,
        },
        loadBalancers: target && [
          { targetGroupArn: target.targetGroup.arn, containerName: name, containerPort: a.port },
        ],
        // @pulumi/aws ecs/service.d.ts: "Only valid for services configured to use load
        // balancers"; a worker's container startPeriod does the same job.
        healthCheckGracePeriodSeconds: target && a.gracePeriodSeconds,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        enableExecuteCommand: a.enableExecuteCommand,
        propagateTags: "SERVICE",
        // `pulumi up` returns once the new tasks are steady, so a failed deploy fails the update.
        waitForSteadyState: true,
      },
      {
        parent: this,
        // The target group must be attached to the ALB (through the rule) before ECS registers
        // tasks in it, and the role must be able to read the secrets before the first task starts.
        dependsOn: [...after, ...(target ? [target.rule] : [])],
        // Autoscaling owns the running count after creation (terraform-provider-aws docs,
        // aws_ecs_service: ignore desired_count changes when using Application Auto Scaling).
        ignoreChanges: ["desiredCount"],
      },
    );
  }
}

/**
 * SHA-256 of "NAME=versionId" lines. Version ids are random UUIDs Secrets Manager (or the
 * provider's ClientRequestToken) assigns, not derived from the value, so the digest reveals
 * nothing about a secret, however short, and needs no key; hashing the values themselves would
 * let anyone who can read the stack brute-force a short user-set secret.
 */
export function secretsRevision(
  versionIds: Readonly<Record<string, pulumi.Output<string>>>,
): pulumi.Output<string> {
  return pulumi.all(versionIds).apply((ids) =>
    createHash("sha256")
      .update(
        Object.keys(ids)
          .sort()
          .map((k) => `${k}=${ids[k]}\n`)
          .join(""),
      )
      .digest("hex"),
  );
}
