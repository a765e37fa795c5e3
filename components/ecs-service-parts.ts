/**
 * The children of an `EcsService` other than the task definition and the service itself: its
 * secrets, roles, security group, load-balancer target and autoscaling. Split from
 * ecs-service.ts to keep each file readable; every function takes the component as `parent`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as appautoscaling from "@pulumi/aws/appautoscaling";
import * as ec2 from "@pulumi/aws/ec2";
import * as iam from "@pulumi/aws/iam";
import * as lb from "@pulumi/aws/lb";
import * as secretsmanager from "@pulumi/aws/secretsmanager";
import * as vpc from "@pulumi/aws/vpc";
import type { ResolvedEcsServiceArgs as Resolved } from "./ecs-service-args";
import type { TargetHealthCheck } from "./lib/fargate";

/** "REDIS_URL" → "redis-url", for logical names. */
const kebab = (s: string) => s.toLowerCase().replace(/_/g, "-");

/** A service's secrets: what the container names in `valueFrom`, and what IAM grants. */
export interface ServiceSecrets {
  /** Variable name → the secret's partial ARN (no random suffix), known at preview. */
  readonly valueFrom: Record<string, pulumi.Output<string>>;
  /**
   * The secrets for the execution role's policy: each partial ARN plus `-??????`, the six
   * characters Secrets Manager appends (Secrets Manager User Guide, "Permissions policy
   * examples"). Unlike the full ARN it is known at preview, so the policy is too and the pack's
   * IAM rules judge it instead of refusing an unknown document.
   */
  readonly policyResources: pulumi.Output<string>[];
  /**
   * Each secret's current version id (@pulumi/aws secretsmanager/secretVersion.d.ts, `versionId`:
   * "Unique identifier of the version of the secret"), by variable name. A new value is a new
   * version: `secret_string` is ForceNew and Create calls PutSecretValue with a fresh
   * ClientRequestToken (hashicorp/terraform-provider-aws internal/service/secretsmanager/
   * secret_version.go, resourceSecretVersion and resourceSecretVersionCreate).
   */
  readonly versionIds: Record<string, pulumi.Output<string>>;
}

/**
 * One Secrets Manager secret per value, each with its current version.
 *
 * The container refers to each by its *partial* ARN, `<arnPrefix><name>` (the prefix names the
 * provider's partition, region and account, EcsService.secretArnPrefix): the secret's
 * auto-name is known at preview (the engine's CreateStep.Apply calls the provider's Create with
 * `Preview` set, pulumi/pulumi pkg/resource/deploy/step.go, and the Terraform bridge answers with
 * the proposed state, which holds the auto-name its Check assigned: pulumi-terraform-bridge
 * pkg/tfbridge/provider.go Create, `diff.ProposedState`, and pkg/tfbridge/info/autonaming.go
 * SetAutonaming), while the full ARN ends in six random characters AWS adds at create. So the
 * task definition, and the pack's mandatory ECS rules on it, are known at preview. ECS accepts
 * it: the agent passes a valueFrom whose resource is `secret:<id>` unchanged as GetSecretValue's
 * SecretId (aws/amazon-ecs-agent agent/taskresource/asmsecret/asmsecret.go,
 * getASMParametersFromInput), and Secrets Manager resolves a partial ARN that matches one secret
 * (Secrets Manager API Reference, GetSecretValue, SecretId: "Finding a secret from a partial
 * ARN"). The one trap, a name ending in "-" and six characters, cannot happen: auto-names end in
 * "-" and seven hex digits (pulumi-terraform-bridge pkg/tfbridge/info/autonaming.go, Randlen 7).
 */
export function createSecrets(
  parent: pulumi.Resource,
  name: string,
  values: Readonly<Record<string, pulumi.Input<string>>>,
  arnPrefix: pulumi.Input<string>,
  stack: string,
): ServiceSecrets {
  const valueFrom: Record<string, pulumi.Output<string>> = {};
  const policyResources: pulumi.Output<string>[] = [];
  const versionIds: Record<string, pulumi.Output<string>> = {};
  for (const key of Object.keys(values).sort()) {
    const secret = new secretsmanager.Secret(
      `${name}-secret-${kebab(key)}`,
      { description: `api-stack ${stack}: ${key} for ${name}` },
      { parent },
    );
    const version = new secretsmanager.SecretVersion(
      `${name}-secret-${kebab(key)}`,
      { secretId: secret.id, secretString: pulumi.secret(values[key] as pulumi.Input<string>) },
      { parent },
    );
    versionIds[key] = version.versionId;
    valueFrom[key] = pulumi.interpolate`${arnPrefix}${secret.name}`;
    policyResources.push(pulumi.interpolate`${arnPrefix}${secret.name}-??????`);
  }
  return { valueFrom, policyResources, versionIds };
}

const assumedByEcsTasks = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "ecs-tasks.amazonaws.com" },
      Action: "sts:AssumeRole",
    },
  ],
});

/**
 * AWS's managed policy for the ECS agent: ECR pull (GetAuthorizationToken, BatchGetImage, …)
 * and awslogs' CreateLogStream/PutLogEvents. Chosen over a hand-written copy because AWS keeps
 * it current with what the agent calls, and `ecr:GetAuthorizationToken` cannot be scoped to a
 * resource anyway; it grants no secret access. AWS docs, "Amazon ECS task execution IAM role".
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
 */
export const TASK_EXECUTION_MANAGED_POLICY =
  "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

/**
 * The execution role (used by ECS to start the task): the managed policy above, and
 * `secretsmanager:GetSecretValue` on exactly this service's secrets. The secrets use the
 * account's `aws/secretsmanager` key, for which no `kms:Decrypt` grant is needed (same AWS page,
 * "Required IAM permissions for Amazon ECS secrets": kms:Decrypt only for a customer key).
 */
export function createExecutionRole(
  parent: pulumi.Resource,
  name: string,
  secretResources: pulumi.Output<string>[],
): { role: iam.Role; policy: iam.RolePolicy } {
  const role = new iam.Role(`${name}-exec`, { assumeRolePolicy: assumedByEcsTasks }, { parent });
  new iam.RolePolicyAttachment(
    `${name}-exec-managed`,
    { role: role.name, policyArn: TASK_EXECUTION_MANAGED_POLICY },
    { parent },
  );
  const policy = new iam.RolePolicy(
    `${name}-exec-secrets`,
    {
      role: role.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secretResources },
        ],
      }),
    },
    { parent },
  );
  return { role, policy };
}

/**
 * The task role (what the app itself may call): nothing, unless ECS Exec is on, which needs
 * the SSM channel actions. AWS docs, "Monitor Amazon ECS containers with ECS Exec" → IAM.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html
 */
export function createTaskRole(parent: pulumi.Resource, name: string, exec: boolean): iam.Role {
  const role = new iam.Role(`${name}-task`, { assumeRolePolicy: assumedByEcsTasks }, { parent });
  if (exec) {
    new iam.RolePolicy(
      `${name}-task-exec`,
      {
        role: role.id,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
              ],
              Resource: "*",
            },
          ],
        }),
      },
      { parent },
    );
  }
  return role;
}

/**
 * The tasks' security group: for a web service the service port from the ALB's group only
 * (and the ALB's matching egress), for a worker no ingress at all; egress anywhere (image
 * pulls, Secrets Manager, the cache). No inline rules, so the provider drops AWS's default
 * egress and the rules below are the whole truth (terraform-provider-aws docs, aws_security_group).
 */
export function createTaskSecurityGroup(
  parent: pulumi.Resource,
  name: string,
  a: Resolved,
): ec2.SecurityGroup {
  const sg = new ec2.SecurityGroup(
    `${name}-tasks-sg`,
    { vpcId: a.platform.vpcId, description: `api-stack ${a.stack} ${name} tasks` },
    { parent },
  );
  new vpc.SecurityGroupEgressRule(
    `${name}-tasks-out`,
    { securityGroupId: sg.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "All out" },
    { parent },
  );
  if (a.kind === "web") {
    const port = { ipProtocol: "tcp", fromPort: a.port, toPort: a.port };
    new vpc.SecurityGroupIngressRule(
      `${name}-from-alb`,
      {
        ...port,
        securityGroupId: sg.id,
        referencedSecurityGroupId: a.platform.albSecurityGroupId,
        description: "Service port from the ALB only",
      },
      { parent },
    );
    new vpc.SecurityGroupEgressRule(
      `${name}-alb-to-tasks`,
      {
        ...port,
        securityGroupId: a.platform.albSecurityGroupId,
        referencedSecurityGroupId: sg.id,
        description: `ALB to ${name} tasks`,
      },
      { parent },
    );
  }
  return sg;
}

/** The target group's health check from the container's (ELB ranges in ecs-service.ts). */
export function createTarget(
  parent: pulumi.Resource,
  name: string,
  a: Resolved,
  t: TargetHealthCheck,
): { targetGroup: lb.TargetGroup; rule: lb.ListenerRule } {
  const targetGroup = new lb.TargetGroup(
    `${name}-tg`,
    {
      vpcId: a.platform.vpcId,
      port: a.port,
      protocol: "HTTP",
      targetType: "ip",
      // In-flight requests get the whole stop grace before the target is dropped.
      deregistrationDelay: a.deregistrationDelaySeconds,
      healthCheck: {
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path: a.healthcheck.path,
        matcher: "200-399",
        interval: t.interval,
        timeout: t.timeout,
        healthyThreshold: t.healthyThreshold,
        unhealthyThreshold: t.unhealthyThreshold,
      },
    },
    { parent },
  );
  const rule = new lb.ListenerRule(
    `${name}-rule`,
    {
      listenerArn: a.platform.httpsListenerArn,
      priority: a.listenerRulePriority,
      actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
      conditions: [{ pathPattern: { values: a.pathPatterns } }],
    },
    { parent },
  );
  return { targetGroup, rule };
}

/**
 * Target tracking on CPU and, behind the ALB, on requests per target. The resource label is
 * "<ALB ARN suffix>/<target group ARN suffix>" (AWS docs, Application Auto Scaling API
 * Reference, "PredefinedMetricSpecification", ResourceLabel).
 */
export function createAutoscaling(
  parent: pulumi.Resource,
  name: string,
  a: Resolved,
  serviceName: pulumi.Output<string>,
  targetGroup: lb.TargetGroup | undefined,
): appautoscaling.Policy[] {
  const target = new appautoscaling.Target(
    `${name}-scaling`,
    {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: pulumi.interpolate`service/${a.platform.clusterName}/${serviceName}`,
      minCapacity: a.minCount,
      maxCapacity: a.maxCount,
    },
    { parent },
  );
  const policy = (role: string, metric: string, value: number, label?: pulumi.Input<string>) =>
    new appautoscaling.Policy(
      `${name}-${role}`,
      {
        policyType: "TargetTrackingScaling",
        resourceId: target.resourceId,
        scalableDimension: target.scalableDimension,
        serviceNamespace: target.serviceNamespace,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: value,
          predefinedMetricSpecification: { predefinedMetricType: metric, resourceLabel: label },
          scaleOutCooldown: 60,
          scaleInCooldown: 300,
        },
      },
      { parent },
    );
  const policies = [policy("cpu", "ECSServiceAverageCPUUtilization", a.cpuTargetPercent)];
  if (targetGroup !== undefined) {
    const label = pulumi.interpolate`${a.platform.albArnSuffix}/${targetGroup.arnSuffix}`;
    policies.push(policy("requests", "ALBRequestCountPerTarget", a.requestsPerTarget, label));
  }
  return policies;
}
