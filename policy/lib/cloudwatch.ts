/**
 * CloudWatch facts shared by the ECS alarms the program creates (components/lib/ecs-alarm-specs.ts)
 * and the rule that requires them (rules/ecs-alarms.ts), so that a metric name exists once.
 *
 * Application Load Balancer metrics: the ELB User Guide, "CloudWatch metrics for your Application
 * Load Balancer" (awsdocs/elb-application-load-balancers-user-guide
 * doc_source/load-balancer-cloudwatch-metrics.md at 10251a799ee4ba8a5526829aa040c5ae0ddccd6d;
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html):
 * - the namespace is `AWS/ApplicationELB`;
 * - `LoadBalancer` is "app/<name>/<id> (the final portion of the load balancer ARN)" and
 *   `TargetGroup` "targetgroup/<name>/<id> (the final portion of the target group ARN)";
 * - "You must specify the same dimensions that were used when the metrics were created", and the
 *   page's own example reads a target group's UnHealthyHostCount with both LoadBalancer and
 *   TargetGroup: an alarm naming TargetGroup alone watches a metric nobody publishes.
 */

export const ALB_NAMESPACE = "AWS/ApplicationELB";

/** The dimension names of a target group's metrics, both required. */
export const ALB_DIMENSIONS = { loadBalancer: "LoadBalancer", targetGroup: "TargetGroup" } as const;

/**
 * The per-target-group metrics the alarms watch, each with its reporting criterion from the same
 * page (it decides what a missing datapoint means):
 * - `HTTPCode_Target_5XX_Count`: "There is a nonzero value"; the useful statistic is Sum;
 * - `RequestCount`: "Always reported" (the page also says ELB reports "only when requests are
 *   flowing through the load balancer"); Sum;
 * - `TargetResponseTime`: seconds, "There is a nonzero value"; Average and pNN.NN;
 * - `UnHealthyHostCount`: "Reported if health checks are enabled"; Average, Minimum, Maximum.
 */
export const ALB_METRICS = {
  target5xx: "HTTPCode_Target_5XX_Count",
  requests: "RequestCount",
  responseTime: "TargetResponseTime",
  unhealthyHosts: "UnHealthyHostCount",
} as const;

/**
 * "targetgroup/<name>/<id>" from a target group ARN
 * (`arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>`), the value
 * of the `TargetGroup` dimension; `undefined` for anything else.
 */
export function targetGroupArnSuffix(arn: string): string | undefined {
  const m = /^arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:(targetgroup\/[^/]+\/[^/]+)$/.exec(arn);
  return m?.[1];
}

/**
 * Alarm actions that tell a person: an SNS topic, a Lambda function (CloudWatch User Guide,
 * "Invoke a Lambda function from an alarm",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions-Lambda.html),
 * or an Incident Manager response plan (`arn:aws:ssm-incidents::<account>:response-plan/<name>`,
 * CloudWatch API Reference, PutMetricAlarm, AlarmActions). EC2 and Auto Scaling actions and
 * OpsItems change or record something but page nobody.
 */
export function isNotifyingActionArn(arn: string): boolean {
  return /^arn:[^:]+:(sns|lambda|ssm-incidents):/.test(arn);
}
