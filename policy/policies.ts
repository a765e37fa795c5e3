/**
 * Every policy in the pack, by name, in the order the pack runs them. index.ts hands this list
 * to the PolicyPack, and the tests read the same list, so a rule that is written but not listed
 * here never runs (test/policy/rules/meta.test.ts fails when that happens).
 */
import { Policies } from "@pulumi/policy";
import { elasticacheAwsLimits } from "./rules/elasticache-limits";
import { elasticacheSecurityGroups } from "./rules/elasticache-network";
import { elasticacheBackups, elasticacheHighAvailability } from "./rules/elasticache-resilience";
import {
  elasticacheAuthRequired,
  elasticacheAuthTokenFormat,
  elasticacheEncryption,
  elasticacheEngine,
  elasticacheNoStandaloneCluster,
} from "./rules/elasticache";
import {
  containerImagePinned,
  containerLogRotation,
  containerMemoryLimit,
  containerNoSensitiveMounts,
  containerNotPrivileged,
  containerRestartPolicy,
} from "./rules/containers";
import {
  containerDropsAllCapabilities,
  containerNoNewPrivileges,
  containerNoSensitiveVolumeBinds,
  containerNoUnconfinedProfiles,
  containerReadOnlyHostMounts,
} from "./rules/hardening";
import { containerHealthcheckRequired, healthcheckTiming } from "./rules/healthchecks";
import { redisHealthcheckChecksReply, redisHealthcheckReadOnly } from "./rules/redis-healthchecks";
import {
  containerDestroyGrace,
  containerDockerLimits,
  publishedPortsReachable,
  redisEntrypointCanRestart,
} from "./rules/lifecycle";
import {
  edgeProxyPorts,
  edgeProxyTlsFloor,
  edgeWebReplicas,
  edgeWebServicesPublishNothing,
} from "./rules/edge";
import {
  ecsAlbTls,
  ecsGraceCoversStartPeriod,
  ecsTargetGroupHealth,
  ecsTaskNetwork,
} from "./rules/ecs-alb";
import {
  ecsContainerHardening,
  ecsContainerHealthcheck,
  ecsDeploymentCircuitBreaker,
  ecsDesiredCount,
  ecsExecDisabled,
  ecsNoSecretsInEnvironment,
} from "./rules/ecs";
import { ecsProductionAlarms } from "./rules/ecs-alarms";
import {
  ecsContainerInsights,
  ecsServiceNoIamRole,
  ecsTaskNetworkMode,
  logGroupRetention,
} from "./rules/ecs-basics";
import { awsIngressNotWorldOpen, awsLoadBalancerHardening } from "./rules/aws-network";
import { unknownValueProvenance } from "./rules/provenance";
import {
  iamNoPassroleWildcard,
  iamNoWildcardPermissions,
  iamTrustPolicyRestricted,
  secretsmanagerPolicyRestricted,
} from "./rules/aws-iam";
import { ecsTaskRolesLeastPrivilege } from "./rules/aws-iam-ecs";
import { redisBackendDefined } from "./rules/redis-backend";
import { redisHasBackups } from "./rules/redis-backups";
import { dockerStackMonitored, metricsPortsNotPublished } from "./rules/monitoring";
import {
  elasticachePrivateSubnets,
  redisCachePortNotWorldOpen,
  redisIngressNotWorldOpen,
  redisNotExposed,
} from "./rules/redis";
import { noSecretsInCommand, noWeakSecrets, redisRequiresAuth } from "./rules/secrets";

export const allPolicies: Policies = [
  // Secrets (rules/secrets.ts): Redis asks for a password; no weak or inline secrets.
  redisRequiresAuth,
  noWeakSecrets,
  noSecretsInCommand,

  // Redis reachability (rules/redis.ts, rules/redis-backend.ts).
  redisNotExposed,
  redisIngressNotWorldOpen,
  redisCachePortNotWorldOpen,
  elasticachePrivateSubnets,
  redisBackendDefined,
  // Backups (rules/redis-backups.ts).
  redisHasBackups,
  // Monitoring on Docker (rules/monitoring.ts).
  metricsPortsNotPublished,
  dockerStackMonitored,

  // Healthchecks (rules/healthchecks.ts, rules/redis-healthchecks.ts).
  containerHealthcheckRequired,
  healthcheckTiming,
  redisHealthcheckReadOnly,
  redisHealthcheckChecksReply,

  // Containers (rules/containers.ts).
  containerRestartPolicy,
  containerImagePinned,
  containerNotPrivileged,
  containerNoSensitiveMounts,
  containerMemoryLimit,
  containerLogRotation,

  // Container hardening (rules/hardening.ts).
  containerNoNewPrivileges,
  containerNoUnconfinedProfiles,
  containerDropsAllCapabilities,
  containerNoSensitiveVolumeBinds,
  containerReadOnlyHostMounts,

  // Container lifecycle and Docker value limits (rules/lifecycle.ts).
  containerDockerLimits,
  containerDestroyGrace,
  redisEntrypointCanRestart,
  publishedPortsReachable,

  // ElastiCache (rules/elasticache.ts, elasticache-resilience.ts, elasticache-network.ts).
  elasticacheEncryption,
  elasticacheAuthRequired,
  elasticacheAuthTokenFormat,
  elasticacheBackups,
  elasticacheHighAvailability,
  elasticacheEngine,
  elasticacheNoStandaloneCluster,
  elasticacheSecurityGroups,

  // ElastiCache AWS value limits (rules/elasticache-limits.ts).
  elasticacheAwsLimits,

  // The edge proxy: the only publisher, on 80/443, TLS 1.2+, replicas behind it (rules/edge.ts).
  edgeWebServicesPublishNothing,
  edgeProxyPorts,
  edgeProxyTlsFloor,
  edgeWebReplicas,

  // ECS on Fargate behind an ALB (rules/ecs.ts, rules/ecs-alb.ts).
  ecsContainerHardening,
  ecsContainerHealthcheck,
  ecsNoSecretsInEnvironment,
  ecsDeploymentCircuitBreaker,
  ecsDesiredCount,
  ecsExecDisabled,
  ecsAlbTls,
  ecsGraceCoversStartPeriod,
  ecsTargetGroupHealth,
  ecsTaskNetwork,
  // ECS basics: awsvpc, no service role, Container Insights, log retention (rules/ecs-basics.ts).
  ecsTaskNetworkMode,
  ecsServiceNoIamRole,
  ecsContainerInsights,
  logGroupRetention,
  // Production ECS services behind an ALB have alarms that page someone (rules/ecs-alarms.ts).
  ecsProductionAlarms,

  // AWS network exposure: world-open ingress, load-balancer settings (rules/aws-network.ts).
  awsIngressNotWorldOpen,
  awsLoadBalancerHardening,

  // IAM and Secrets Manager resource policies (rules/aws-iam.ts, rules/aws-iam-ecs.ts).
  iamNoWildcardPermissions,
  iamNoPassroleWildcard,
  iamTrustPolicyRestricted,
  secretsmanagerPolicyRestricted,
  ecsTaskRolesLeastPrivilege,

  // Values unknown at preview, judged by where they come from (rules/provenance.ts).
  unknownValueProvenance,
];
