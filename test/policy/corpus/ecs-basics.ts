/**
 * ECS basics (issue 22, class 5): the network mode, the service role, pinned images, the
 * start-period floor, Container Insights and log retention. The good stacks are the ECS good
 * stack (ecs-base.ts) with the cluster and the API's log group as EcsPlatform and EcsService
 * register them; each bad case changes one setting of one of them, named in `twin`
 * (test/policy/rules/ecs-basics.test.ts checks that). Sources are in policy/rules/ecs-basics.ts,
 * rules/containers.ts (`container-image-pinned`) and rules/ecs.ts (`ecs-container-healthcheck`).
 */
import { ResourceRecord, UNKNOWN } from "../../../gate";
import { res } from "./base";
import { ecsStack, EcsOpts, Mutate } from "./ecs-base";
import { caseBuilder, EcsCase, hc, svc } from "./ecs-good";
import { GoodCase } from "./types";

type Props = Record<string, unknown>;

export const B = {
  mode: "ecs-task-network-mode",
  role: "ecs-service-no-iam-role",
  image: "container-image-pinned",
  hc: "ecs-container-healthcheck",
  insights: "ecs-container-insights",
  logs: "log-group-retention",
};

/** The cluster (Container Insights on) and the API's log group (30 days), one of them changed. */
const platform = (cluster?: Mutate, logs?: Mutate) => (): ResourceRecord[] => {
  const c: Props = { settings: [{ name: "containerInsights", value: "enabled" }] };
  cluster?.(c);
  const l: Props = { retentionInDays: 30 };
  logs?.(l);
  return [
    res("aws:ecs/cluster:Cluster", "ecs-cluster", c),
    res("aws:cloudwatch/logGroup:LogGroup", "api-logs", l),
  ];
};

const DIGEST = "sha256:94afd1f2e64d908bc90dbca0035a5b567eef8a6fa8ac58c5e3f3a09b7e8b4ec2";

export const BASICS_GOOD: Record<string, EcsOpts> = {
  platform: { extra: platform() },
  "platform-preview": { preview: true, extra: platform() },
  enhanced: {
    extra: platform(
      (c) => (c.settings = [{ name: "containerInsights", value: "enhanced" }]),
      (l) => (l.retentionInDays = 365),
    ),
  },
  "tag-only": { extra: platform(), container: (c) => (c.image = "ghcr.io/acme/api:1.4.2") },
  digest: {
    extra: platform(),
    container: (c) => (c.image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/api@${DIGEST}`),
  },
  "start-floor": { extra: platform(), container: hc("startPeriod", 10) },
};

export const ecsBasicsGoodCases: GoodCase[] = Object.entries({
  platform: "ECS: the API stack with its cluster (Container Insights on) and a 30-day log group",
  "platform-preview": "ECS: the same at first preview, every ARN and ID unknown",
  enhanced: "ECS: Container Insights enhanced, logs kept 365 days",
  "tag-only": "ECS: an image pinned by tag without a digest",
  digest: "ECS: an image pinned by digest only",
  "start-floor": "ECS: a container start period exactly at the 10 s floor",
}).map(([k, name]) => ({ name, stack: ecsStack(BASICS_GOOD[k]) }));

const basic = caseBuilder(BASICS_GOOD);

const image = (v: unknown) => (c: Props) => (c.image = v);
const ROLE = "arn:aws:iam::123456789012:role/ecsServiceRole";

/** A log router beside the API, as copied from an untagged FireLens example. */
const withRouter = (api: Props): Props[] => [
  api,
  {
    ...api,
    name: "log-router",
    essential: false,
    image: "public.ecr.aws/aws-observability/aws-for-fluent-bit",
    portMappings: [],
  },
];

export const ecsBasicsCases: EcsCase[] = [
  basic(
    "networkMode bridge",
    "an EC2-era task definition moved to Fargate unchanged; registration failed mid-deploy",
    "platform",
    { taskDef: svc("networkMode", "bridge") },
    [{ policy: B.mode, message: /`networkMode` "bridge": Fargate requires awsvpc/ }],
  ),
  basic(
    "networkMode host",
    "host mode to skip port mappings; the tasks lost their own security group",
    "platform",
    { taskDef: svc("networkMode", "host") },
    [
      {
        policy: B.mode,
        message: /"api-task" has `networkMode` "host".*Fix: set networkMode: "awsvpc"/,
      },
    ],
  ),
  basic(
    "networkMode unset",
    "the default is bridge, not awsvpc",
    "platform",
    { taskDef: (t) => delete t.networkMode },
    [{ policy: B.mode, message: /unset \(ECS's default is bridge\)/ }],
  ),
  basic(
    "iamRole on an awsvpc service",
    "the classic ecsServiceRole copied from an EC2 bridge-mode template",
    "platform",
    { service: svc("iamRole", ROLE) },
    [
      {
        policy: B.role,
        message:
          /"api-service" sets `iamRole` \("arn:aws:iam::123456789012:role\/ecsServiceRole"\) but runs in the awsvpc network mode \(it has a `networkConfiguration`\).*Fix: remove iamRole/,
      },
    ],
  ),
  basic(
    "iamRole from a role's ARN at preview",
    "a role created in the same program, its ARN unknown at the first preview",
    "platform-preview",
    { service: svc("iamRole", UNKNOWN) },
    [{ policy: B.role, message: /`iamRole` \(from another resource's output\)/ }],
  ),
  basic(
    "image :latest",
    "a rollback redeployed whatever latest had become",
    "platform",
    { container: image("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:latest") },
    [
      {
        policy: B.image,
        message:
          /container "api" of ECS task definition "api-task": `image` ".*\/api:latest" uses the floating tag ":latest"/,
      },
    ],
  ),
  basic(
    "image without a tag",
    "no tag means latest",
    "platform",
    { container: image("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api") },
    [{ policy: B.image, message: /container "api".*`image` ".*\/api" has no tag/ }],
  ),
  basic(
    "an untagged sidecar image",
    "the FireLens router followed latest and changed its config format",
    "platform",
    { containers: withRouter },
    [{ policy: B.image, message: /container "log-router".*aws-for-fluent-bit" has no tag/ }],
  ),
  basic(
    "an image unknown at preview",
    "the image came from a build resource's output: nobody could see what the task would run",
    "platform-preview",
    { container: image(UNKNOWN) },
    [
      {
        policy: B.image,
        message: /`containerDefinitions` of ECS task definition "api-task" is unknown at preview/,
      },
    ],
  ),
  basic(
    "startPeriod 0",
    "failed probes during the JVM's boot counted at once; tasks were replaced in a loop",
    "platform",
    { container: hc("startPeriod", 0) },
    [{ policy: B.hc, message: /`healthCheck.startPeriod` is 0 s, below the 10s floor/ }],
  ),
  basic(
    "startPeriod 5 below the 10 s floor",
    "fine for Docker's rule, never checked on ECS",
    "platform",
    { container: hc("startPeriod", 5) },
    [{ policy: B.hc, message: /`healthCheck.startPeriod` is 5 s, below the 10s floor/ }],
  ),
  basic(
    "startPeriod unset",
    "ECS's default start period is off",
    "platform",
    { container: (c) => delete (c.healthCheck as Props).startPeriod },
    [{ policy: B.hc, message: /`healthCheck.startPeriod` is unset.*below the 10s floor/ }],
  ),
  basic(
    "Container Insights disabled on the production cluster",
    "an outage with no per-task metrics to read",
    "platform",
    { extra: platform((c) => (c.settings = [{ name: "containerInsights", value: "disabled" }])) },
    [{ policy: B.insights, message: /"ecs-cluster" sets `containerInsights` "disabled"/ }],
  ),
  basic(
    "cluster settings unset",
    "the account default was off",
    "platform",
    { extra: platform((c) => delete c.settings) },
    [{ policy: B.insights, message: /"ecs-cluster" has no `containerInsights` setting/ }],
  ),
  basic(
    "Container Insights unknown at preview",
    "the value came from another stack's output",
    "platform-preview",
    { extra: platform((c) => (c.settings = [{ name: "containerInsights", value: UNKNOWN }])) },
    [{ policy: B.insights, message: /`settings` of ECS cluster "ecs-cluster" is unknown/ }],
  ),
  basic(
    "log group without retentionInDays",
    "three years of debug logs, paid every month",
    "platform",
    { extra: platform(undefined, (l) => delete l.retentionInDays) },
    [{ policy: B.logs, message: /"api-logs" has `retentionInDays` unset.*forever/ }],
  ),
  basic(
    "ECS creates the log group itself (awslogs-create-group)",
    "review 22b F7: the group the awslogs driver made kept every event forever",
    "platform",
    {
      container: (c) =>
        ((c.logConfiguration as { options: Props }).options["awslogs-create-group"] = "true"),
    },
    [{ policy: B.logs, message: /container "api".*awslogs-create-group.*never expire/ }],
  ),
  basic(
    "log group retention 0",
    "0 reads like off; it means never expire",
    "platform",
    { extra: platform(undefined, (l) => (l.retentionInDays = 0)) },
    [{ policy: B.logs, message: /"api-logs" has `retentionInDays` 0/ }],
  ),
];
