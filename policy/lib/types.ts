/**
 * The resource type tokens the pack recognises, in one place. The engine sends every resource
 * with its provider type token (`<package>:<module>/<name>:<Type>`), and the rules match on these
 * strings, so a typo here would silently switch a rule off: keep one constant per type.
 */

// Docker (@pulumi/docker)
export const CONTAINER = "docker:index/container:Container";
export const NETWORK = "docker:index/network:Network";
export const VOLUME = "docker:index/volume:Volume";
export const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
export const BUILT_IMAGE = "docker:index/image:Image";

// AWS ElastiCache (@pulumi/aws)
export const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
export const SERVERLESS_CACHE = "aws:elasticache/serverlessCache:ServerlessCache";
export const CACHE_CLUSTER = "aws:elasticache/cluster:Cluster";
export const CACHE_USER = "aws:elasticache/user:User";
export const USER_GROUP = "aws:elasticache/userGroup:UserGroup";
export const SUBNET_GROUP = "aws:elasticache/subnetGroup:SubnetGroup";

// AWS networking (@pulumi/aws)
export const VPC = "aws:ec2/vpc:Vpc";
export const SUBNET = "aws:ec2/subnet:Subnet";
export const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
export const SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
export const DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";

// Random generators (@pulumi/random)
export const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";
export const RANDOM_STRING = "random:index/randomString:RandomString";
export const RANDOM_ID = "random:index/randomId:RandomId";
export const RANDOM_BYTES = "random:index/randomBytes:RandomBytes";

// Key generators (@pulumi/tls)
export const TLS_PRIVATE_KEY = "tls:index/privateKey:PrivateKey";
export const TLS_SELF_SIGNED_CERT = "tls:index/selfSignedCert:SelfSignedCert";

// AWS IAM and Secrets Manager resource policies (@pulumi/aws 7.x iam/*.js, secretsmanager/*.js)
export const IAM_POLICY = "aws:iam/policy:Policy";
export const IAM_ROLE = "aws:iam/role:Role";
export const IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const IAM_USER_POLICY = "aws:iam/userPolicy:UserPolicy";
export const IAM_GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy";
export const IAM_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
export const IAM_USER_POLICY_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment";
export const IAM_GROUP_POLICY_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment";
export const IAM_POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment";
export const IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE =
  "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive";
export const IAM_USER_POLICY_ATTACHMENTS_EXCLUSIVE =
  "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive";
export const IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE =
  "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive";
export const SECRET = "aws:secretsmanager/secret:Secret";
export const SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy";

// AWS ECS and Elastic Load Balancing v2 (@pulumi/aws 7.x: ecs/service.js, ecs/taskDefinition.js,
// lb/listener.js, lb/targetGroup.js; alb/* are the provider's older tokens for the same resources)
export const ECS_SERVICE = "aws:ecs/service:Service";
export const ECS_TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
// ECS clusters and CloudWatch log groups (@pulumi/aws 7.x ecs/cluster.js, cloudwatch/logGroup.js)
export const ECS_CLUSTER = "aws:ecs/cluster:Cluster";
export const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
export const LB_LISTENER = "aws:lb/listener:Listener";
export const ALB_LISTENER = "aws:alb/listener:Listener";
export const LB_TARGET_GROUP = "aws:lb/targetGroup:TargetGroup";
export const ALB_TARGET_GROUP = "aws:alb/targetGroup:TargetGroup";

// Elastic Load Balancing v2 load balancers (@pulumi/aws 7.x lb/loadBalancer.js; alb/* the older token)
export const LB_LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer";
export const ALB_LOAD_BALANCER = "aws:alb/loadBalancer:LoadBalancer";

// CloudWatch alarms and where they send (@pulumi/aws 7.x cloudwatch/metricAlarm.js, sns/topic.js,
// lambda/function.js)
export const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
export const SNS_TOPIC = "aws:sns/topic:Topic";
export const LAMBDA_FUNCTION = "aws:lambda/function:Function";
