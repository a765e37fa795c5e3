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

// AWS ECS and Elastic Load Balancing v2 (@pulumi/aws 7.x: ecs/service.js, ecs/taskDefinition.js,
// lb/listener.js, lb/targetGroup.js; alb/* are the provider's older tokens for the same resources)
export const ECS_SERVICE = "aws:ecs/service:Service";
export const ECS_TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
export const LB_LISTENER = "aws:lb/listener:Listener";
export const ALB_LISTENER = "aws:alb/listener:Listener";
export const LB_TARGET_GROUP = "aws:lb/targetGroup:TargetGroup";
export const ALB_TARGET_GROUP = "aws:alb/targetGroup:TargetGroup";
