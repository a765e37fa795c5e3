import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./policies";

new PolicyPack("api-stack-guardrails", {
  description: "Refuses unsafe API + Redis/Valkey deployments on Docker and AWS ElastiCache.",
  policies: allPolicies,
});
