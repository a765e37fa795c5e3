/**
 * policy/lib/ecs-network.ts directly: every non-group source on a task security group, inline
 * or as a rule of either shape, with the exact finding; and the preview cases.
 */
import type { PolicyResource } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { cidrSources } from "../../../policy/lib/ecs-network";
import { SECURITY_GROUP, SG_INGRESS_RULE, SG_RULE } from "../../../policy/lib/types";
import { UNKNOWN } from "../../../policy/lib/unknown";

const FIX =
  "Fix: admit only the load balancer's security group (`securityGroups` inline, `referencedSecurityGroupId` or `sourceSecurityGroupId`), on the container port.";
const L = 'task security group "tasks"';
const r = (type: string, props: Record<string, unknown>, deps: Record<string, unknown[]> = {}) =>
  ({ type, name: "rule-1", props, propertyDependencies: deps }) as unknown as PolicyResource;

describe("cidrSources on inline ingress", () => {
  it("names each CIDR, the world, and a prefix list, per entry", () => {
    expect(
      cidrSources(
        r(SECURITY_GROUP, {
          ingress: [
            { securityGroups: ["sg-alb"] },
            { cidrBlocks: ["0.0.0.0/0", "10.0.0.0/8"], ipv6CidrBlocks: "::/0" },
            { prefixListIds: ["pl-1"] },
          ],
        }),
        L,
      ),
    ).toEqual([
      `\`ingress[1]\` of ${L} admits 0.0.0.0/0 (the whole internet), \`cidrBlocks\` 10.0.0.0/8, ::/0 (the whole internet). ${FIX}`,
      `\`ingress[2]\` of ${L} admits \`prefixListIds\` pl-1. ${FIX}`,
    ]);
  });

  it("passes groups only, empty values and no ingress", () => {
    expect(
      cidrSources(
        r(SECURITY_GROUP, {
          ingress: [{ securityGroups: ["sg-alb"], cidrBlocks: [], ipv6CidrBlocks: "" }],
        }),
        L,
      ),
    ).toEqual([]);
    expect(cidrSources(r(SECURITY_GROUP, { ingress: [null] }), L)).toEqual([]);
    expect(cidrSources(r(SECURITY_GROUP, {}), L)).toEqual([]);
  });

  it("at preview: an unknown entry or CIDR asks for literals; unknown inline ingress only when computed", () => {
    expect(cidrSources(r(SECURITY_GROUP, { ingress: [UNKNOWN] }), L)[0]).toContain(
      `\`ingress[0]\` of ${L}`,
    );
    expect(cidrSources(r(SECURITY_GROUP, { ingress: [{ cidrBlocks: [UNKNOWN] }] }), L)).toEqual([
      `\`ingress[0]\` of ${L} admits \`cidrBlocks\` (unknown at preview). ${FIX}`,
    ]);
    expect(cidrSources(r(SECURITY_GROUP, { ingress: UNKNOWN }), L)).toEqual([]);
    const computed = cidrSources(r(SECURITY_GROUP, { ingress: UNKNOWN }, { ingress: [{}] }), L);
    expect(computed).toHaveLength(1);
    expect(computed[0]).toContain(`The inline \`ingress\` of ${L}`);
  });
});

describe("cidrSources on rules", () => {
  it("reads vpc.SecurityGroupIngressRule fields", () => {
    expect(
      cidrSources(r(SG_INGRESS_RULE, { cidrIpv4: "0.0.0.0/0", prefixListId: "pl-2" }), L),
    ).toEqual([
      `Ingress rule "rule-1" on ${L} admits 0.0.0.0/0 (the whole internet), \`prefixListId\` pl-2. ${FIX}`,
    ]);
    expect(cidrSources(r(SG_INGRESS_RULE, { referencedSecurityGroupId: "sg-alb" }), L)).toEqual([]);
  });

  it("reads ec2.SecurityGroupRule fields", () => {
    expect(
      cidrSources(r(SG_RULE, { type: "ingress", ipv6CidrBlocks: ["2001:db8::/32"] }), L),
    ).toEqual([`Ingress rule "rule-1" on ${L} admits \`ipv6CidrBlocks\` 2001:db8::/32. ${FIX}`]);
    expect(
      cidrSources(r(SG_RULE, { type: "ingress", sourceSecurityGroupId: "sg-alb" }), L),
    ).toEqual([]);
  });
});
