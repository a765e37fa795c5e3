import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./policies";
import { installSharedProps } from "./lib/shared-props";

// One deserialisation per request rather than per policy (the reason, and the test that the
// pinned SDK still calls through it, are in lib/shared-props.ts).
installSharedProps();

new PolicyPack("api-stack-guardrails", {
  description: "Refuses unsafe API + Redis/Valkey deployments on Docker and AWS ElastiCache.",
  policies: allPolicies,
});
