import { PolicyPack } from "@pulumi/policy";
import { containerPolicies } from "./rules/containers";
import { elasticachePolicies } from "./rules/elasticache";
import { elasticacheLimitsPolicies } from "./rules/elasticache-limits";
import { hardeningPolicies } from "./rules/hardening";
import { healthcheckPolicies } from "./rules/healthchecks";
import { lifecyclePolicies } from "./rules/lifecycle";
import { provenancePolicies } from "./rules/provenance";
import { redisPolicies } from "./rules/redis";
import { secretsPolicies } from "./rules/secrets";

new PolicyPack("api-stack-guardrails", {
  description: "Refuses unsafe API + Redis/Valkey deployments on Docker and AWS ElastiCache.",
  policies: [
    ...secretsPolicies,
    ...redisPolicies,
    ...healthcheckPolicies,
    ...containerPolicies,
    ...hardeningPolicies,
    ...lifecyclePolicies,
    ...elasticachePolicies,
    ...elasticacheLimitsPolicies,
    ...provenancePolicies,
  ],
});
