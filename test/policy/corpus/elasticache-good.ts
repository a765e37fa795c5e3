/** ElastiCache and external-Redis deployments shaped like the program; all must pass clean. */
import { externalStack, replicationGroupStack, serverlessStack } from "./elasticache-base";
import { GoodCase } from "./types";

type Build = typeof replicationGroupStack;

/** The three forms of one stack: values known, and a first preview (inputs vs outputs). */
function forms(name: string, build: Build): GoodCase[] {
  return [
    { name: `${name}, values known (pulumi up)`, stack: build("up") },
    {
      name: `${name}, at first preview: tokens/endpoints/ids unknown, secrets wrapped`,
      stack: build("preview-inputs"),
      outputs: build("preview-outputs"),
    },
  ];
}

export const elasticacheGoodCases: GoodCase[] = [
  ...forms(
    "ElastiCache Valkey replication group (2 nodes, Multi-AZ, TLS required, RandomPassword token, SG from the app SG, slow log), API over rediss://",
    replicationGroupStack,
  ),
  ...forms(
    "ElastiCache Valkey serverless with RBAC (default user off, app user), API over rediss://",
    serverlessStack,
  ),
  ...forms("External rediss:// Redis from config, no Redis resource at all", externalStack),
];
