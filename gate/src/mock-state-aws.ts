/**
 * Mocked outputs of the AWS resources `platform: ecs` creates (issue 14): the ARNs, names and
 * DNS names the program feeds into other resources, in the shapes AWS returns them, so a wrong
 * wiring (a listener ARN where a target group ARN belongs, a missing ARN suffix) shows up
 * under mocks. Computed values are unknown in a preview, as a provider's preview returns them;
 * auto-names are known: the Terraform bridge assigns them in Check (pulumi-terraform-bridge
 * pkg/tfbridge/info/autonaming.go SetAutonaming: `name` + "-" + 7 random hex digits), and its
 * Create with `Preview` set returns the proposed state, which holds them (pkg/tfbridge/provider.go
 * Create, `diff.ProposedState`), called so by the engine (pulumi/pulumi pkg/resource/deploy/step.go
 * CreateStep.Apply, `Preview: DryRun`). test/stack/gate.test.ts runs prod-ecs in this mode.
 */
import { randomBytes, randomUUID } from "node:crypto";

const REGION = "eu-central-1";
export const AWS_ACCOUNT = "123456789012";
const ACCOUNT = AWS_ACCOUNT;
const ELB = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}`;

/** `known(v)` is `v`, or the unknown sentinel in a preview. */
type Known = (v: unknown) => unknown;

/** A 16-hex-digit id, as in ELB ARNs. */
const hexId = () => randomBytes(8).toString("hex");

/**
 * The outputs for `type`, or `undefined` for a type this file does not know. Shapes from the
 * AWS docs' ARN formats ("Amazon Resource Names (ARNs)" per service: ECS, ELB v2, IAM, Secrets
 * Manager) and @pulumi/aws's output fields (arnSuffix = the part after "loadbalancer/" or ":").
 */
export function awsMockState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  suffix: string,
  known: Known,
): Record<string, unknown> | undefined {
  const auto = `${name}-${suffix}`;
  switch (type) {
    case "aws:ecs/cluster:Cluster":
      return {
        ...inputs,
        name: inputs.name ?? auto,
        arn: known(`arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${inputs.name ?? auto}`),
      };
    case "aws:ecs/service:Service":
      return {
        ...inputs,
        name: inputs.name ?? auto,
        arn: known(`arn:aws:ecs:${REGION}:${ACCOUNT}:service/cluster/${inputs.name ?? auto}`),
      };
    case "aws:ecs/taskDefinition:TaskDefinition":
      return {
        ...inputs,
        revision: known(1),
        arn: known(`arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${String(inputs.family)}:1`),
      };
    case "aws:lb/loadBalancer:LoadBalancer": {
      // ALB names are at most 32 characters; Pulumi's auto-name is trimmed to fit.
      const lbName = auto.slice(0, 32);
      const arnSuffix = `app/${lbName}/${hexId()}`;
      return {
        ...inputs,
        name: lbName,
        arn: known(`${ELB}:loadbalancer/${arnSuffix}`),
        arnSuffix: known(arnSuffix),
        dnsName: known(`${lbName}-1234567890.${REGION}.elb.amazonaws.com`),
        zoneId: known("Z215JYRZR1TBD5"),
      };
    }
    case "aws:lb/targetGroup:TargetGroup": {
      const arnSuffix = `targetgroup/${auto.slice(0, 32)}/${hexId()}`;
      return {
        ...inputs,
        name: auto.slice(0, 32),
        arn: known(`${ELB}:${arnSuffix}`),
        arnSuffix: known(arnSuffix),
      };
    }
    case "aws:lb/listener:Listener":
      return { ...inputs, arn: known(`${ELB}:listener/app/${name}/${hexId()}/${hexId()}`) };
    case "aws:lb/listenerRule:ListenerRule":
      return {
        ...inputs,
        arn: known(`${ELB}:listener-rule/app/${name}/${hexId()}/${hexId()}/${hexId()}`),
      };
    case "aws:iam/role:Role":
      // A role's id is its name.
      return {
        ...inputs,
        id: inputs.name ?? auto,
        name: inputs.name ?? auto,
        arn: known(`arn:aws:iam::${ACCOUNT}:role/${inputs.name ?? auto}`),
      };
    // The alarms of `monitoring` on ECS (issue 24): their topic, its key, the alarms, the
    // dashboard. Topics and alarms are auto-named (their `name` inputs are optional in
    // sns/topic.d.ts and cloudwatch/metricAlarm.d.ts); a dashboard's name is the program's.
    case "aws:kms/key:Key": {
      const keyId = randomUUID();
      return {
        ...inputs,
        id: known(keyId),
        keyId: known(keyId),
        arn: known(`arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`),
      };
    }
    case "aws:sns/topic:Topic": {
      const topicName = inputs.name ?? auto;
      const arn = `arn:aws:sns:${REGION}:${ACCOUNT}:${String(topicName)}`;
      return { ...inputs, name: topicName, id: known(arn), arn: known(arn) };
    }
    case "aws:sns/topicSubscription:TopicSubscription": {
      // SNS returns the ARN even before the endpoint confirms (topic_subscription.go,
      // ReturnSubscriptionArn), which email and https subscriptions have not yet.
      const arn = `arn:aws:sns:${REGION}:${ACCOUNT}:topic:${randomUUID()}`;
      return { ...inputs, id: known(arn), arn: known(arn), pendingConfirmation: known(true) };
    }
    case "aws:cloudwatch/metricAlarm:MetricAlarm": {
      const alarmName = inputs.name ?? auto;
      return {
        ...inputs,
        name: alarmName,
        id: alarmName,
        arn: known(`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${String(alarmName)}`),
      };
    }
    case "aws:cloudwatch/dashboard:Dashboard":
      return {
        ...inputs,
        dashboardArn: known(
          `arn:aws:cloudwatch::${ACCOUNT}:dashboard/${String(inputs.dashboardName)}`,
        ),
      };
    case "aws:secretsmanager/secret:Secret": {
      // Secrets Manager appends "-" and six random characters to a secret's ARN; its id is the ARN.
      const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${auto}-${randomBytes(3).toString("hex")}`;
      return { ...inputs, name: auto, id: known(arn), arn: known(arn) };
    }
    case "aws:secretsmanager/secretVersion:SecretVersion":
      // `secret_string` is ForceNew, and Create puts the value with a fresh ClientRequestToken,
      // which becomes the new VersionId (hashicorp/terraform-provider-aws internal/service/
      // secretsmanager/secret_version.go, resourceSecretVersion, resourceSecretVersionCreate:
      // `ClientRequestToken: id.UniqueId()`): a new id per new value, unknown at preview. An
      // unchanged value keeps its id through fromPrior (mock-state.ts).
      return { ...inputs, versionId: known(randomUUID()), versionStages: known(["AWSCURRENT"]) };
    default:
      return undefined;
  }
}
