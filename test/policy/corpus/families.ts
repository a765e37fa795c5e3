/**
 * Every family of bad corpus cases, in the order the corpus runs them. The protocol corpus
 * (corpus.test.ts) and its in-process twin (corpus-inprocess.mutation.test.ts) both read this
 * list, so a new family is added once and counted by both.
 */
import { awsNetworkCases } from "./aws-network";
import { iamCases } from "./aws-iam";
import { configClassCases } from "./config-classes";
import { containerCases } from "./containers";
import { ecsCases } from "./ecs";
import { ecsBasicsCases } from "./ecs-basics";
import { edgeCases } from "./edge";
import { elasticacheCases } from "./elasticache";
import { elasticacheAuthCases } from "./elasticache-auth";
import { elasticacheOpsCases } from "./elasticache-ops";
import { exposureCases } from "./exposure";
import { hardeningCases } from "./hardening";
import { healthcheckCases } from "./healthchecks";
import { lifecycleCases } from "./lifecycle";
import { secretCases } from "./secrets";
import type { BadCase } from "./types";
import { unknownCases } from "./unknowns";

export const BAD_FAMILIES: Readonly<Record<string, readonly BadCase[]>> = {
  secrets: secretCases,
  exposure: exposureCases,
  healthchecks: healthcheckCases,
  containers: containerCases,
  hardening: hardeningCases,
  lifecycle: lifecycleCases,
  elasticache: elasticacheCases,
  "elasticache-auth": elasticacheAuthCases,
  "elasticache-ops": elasticacheOpsCases,
  unknowns: unknownCases,
  "config-classes": configClassCases,
  edge: edgeCases,
  ecs: ecsCases,
  "aws-iam": iamCases,
  "aws-network": awsNetworkCases,
  "ecs-basics": ecsBasicsCases,
};
