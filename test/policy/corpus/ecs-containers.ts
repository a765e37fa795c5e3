/** ECS bad cases (issue 14) in the containers and the target groups; see ecs.ts. */
import { UNKNOWN } from "../../../gate";
import { ecs, EcsCase, hc, P, svc, tgHc } from "./ecs-good";

export const ecsContainerCases: EcsCase[] = [
  ecs(
    "a privileged container",
    "copied from a Docker-in-Docker example",
    "base",
    { container: (c) => (c.privileged = true) },
    [{ policy: P.hard, message: /`privileged` is true/ }],
  ),
  ecs(
    "root user",
    "user 0 set to fix a volume permission",
    "base",
    { container: (c) => (c.user = "0") },
    [{ policy: P.hard, message: /`user` is "0" \(root\)/ }],
  ),
  ecs(
    "user unset",
    "the image's default user was root",
    "base",
    { container: (c) => delete c.user },
    [{ policy: P.hard, message: /`user` is unset/ }],
  ),
  ecs(
    "no logConfiguration",
    "the crash left no trace",
    "base",
    { container: (c) => delete c.logConfiguration },
    [{ policy: P.hard, message: /no `logConfiguration`/ }],
  ),
  ecs(
    "a writable root filesystem",
    "a compromised process rewrote the app's files",
    "base",
    { container: (c) => (c.readonlyRootFilesystem = false) },
    [{ policy: P.hard, message: /readonlyRootFilesystem` is not true/ }],
  ),
  ecs(
    "desiredCount 1 in prod",
    "one task: every deploy and every AZ event was an outage",
    "base",
    { service: svc("desiredCount", 1) },
    [{ policy: P.count, message: /desiredCount` 1 < 2/ }],
  ),
  ecs(
    "ECS Exec on in prod",
    "a debugging session's shell access stayed on",
    "base",
    { service: svc("enableExecuteCommand", true) },
    [{ policy: P.exec, message: /enableExecuteCommand` true/ }],
  ),
  ecs(
    "deregistration delay shorter than stopTimeout",
    "the ALB cut requests the task was still finishing",
    "base",
    { targetGroup: svc("deregistrationDelay", 10) },
    [
      {
        policy: P.tg,
        message: /deregistrationDelay` 10 s, shorter than container "api"'s `stopTimeout` 30 s/,
      },
    ],
  ),
  ecs(
    "container startPeriod 400",
    "ECS refused the task definition at deploy time",
    "base",
    { container: hc("startPeriod", 400) },
    [{ policy: P.hc, message: /startPeriod` is 400, outside ECS's 0–300/ }],
  ),
  ecs(
    "container timeout not below interval",
    "overlapping probes piled up under load",
    "base",
    { container: hc("timeout", 10) },
    [
      {
        policy: P.hc,
        message: /timeout` \(10 s\) is not shorter than `healthCheck.interval` \(10 s\)/,
      },
    ],
  ),
  ecs(
    "no container healthCheck",
    "a hung process kept its task forever",
    "base",
    { container: (c) => delete c.healthCheck },
    [{ policy: P.hc, message: /container "api".*no `healthCheck`/ }],
  ),
  ecs(
    "stopTimeout 180 on Fargate",
    "Fargate refused the task definition",
    "base",
    { container: (c) => (c.stopTimeout = 180) },
    [{ policy: P.hc, message: /stopTimeout` 180 s; Fargate allows at most 120/ }],
  ),
  ecs(
    "target-group timeout equal to interval",
    "probes overlapped and flapped",
    "base",
    { targetGroup: tgHc("timeout", 15) },
    [
      {
        policy: P.tg,
        message: /timeout` \(15 s\) is not shorter than `healthCheck.interval` \(15 s\)/,
      },
    ],
  ),
  ecs(
    "unhealthy threshold 1",
    "ELB rejects it; one dropped probe would drain a task",
    "base",
    { targetGroup: tgHc("unhealthyThreshold", 1) },
    [{ policy: P.tg, message: /unhealthyThreshold` is 1, outside ELB's 2–10/ }],
  ),
  ecs(
    "target-group health check disabled",
    "traffic went to tasks that could not serve",
    "alb",
    { targetGroup: tgHc("enabled", false) },
    [{ policy: P.tg, message: /enabled` is false/ }],
  ),
  // Keys in another case: the provider's Go decoder matches them case-insensitively
  // (policy/lib/ecs-json.ts; review 22b, F1). A field written twice is refused outright, since Go
  // merges the copies into a value none of them shows (review 22c, G1).
  ecs(
    "an Image key after image",
    "the pinned image the review read was not the nginx:latest ECS registered",
    "base",
    { container: (c) => (c.Image = "nginx:latest") },
    [{ policy: "container-image-pinned", message: /`\[0\]\.image` is written more than once/ }],
  ),
  ecs(
    "a PascalCase Privileged from a CloudFormation template",
    "CloudFormation's PascalCase keys deployed as they were",
    "base",
    {
      container: (c) => {
        delete c.privileged;
        c.Privileged = true;
      },
    },
    [{ policy: P.hard, message: /`privileged` is true/ }],
  ),
  ecs(
    "a later HealthCheck StartPeriod 0",
    "a second healthCheck key overrode the reviewed start period",
    "base",
    { container: (c) => (c.HealthCheck = { StartPeriod: 0 }) },
    [{ policy: P.hc, message: /`\[0\]\.healthCheck` is written more than once/ }],
  ),
  ecs(
    "containerDefinitions unknown at preview",
    "built from an image output, never seen before the deploy",
    "preview",
    { taskDef: svc("containerDefinitions", UNKNOWN) },
    [
      {
        policy: P.hard,
        message: /containerDefinitions` of ECS task definition "api-task" is unknown at preview/,
      },
      { policy: P.grace, message: /unknown at preview/ },
    ],
  ),
  ecs(
    "a task definition outside the stack",
    "the service ran a hand-registered revision nobody reviewed",
    "preview",
    {
      service: svc(
        "taskDefinition",
        "arn:aws:ecs:eu-west-1:123456789012:task-definition/handmade:1",
      ),
    },
    [{ policy: P.grace, message: /handmade:1, which is not a task definition of this stack/ }],
  ),
];
