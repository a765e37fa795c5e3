/**
 * Review 22b, F2: a prefix-list id that is no ManagedPrefixList of the stack (another stack's,
 * RAM-shared, made in the console, or read with getManagedPrefixList) may hold 0.0.0.0/0, and
 * the pack cannot read its entries. It is trusted on other ports (the usual "ALB 443 only from
 * CloudFront" group), never on a sensitive port, unless its id is in `trustedPrefixListIds`.
 */
import { describe, expect, it } from "vitest";
import { ResourceRecord, UNKNOWN } from "../../../gate";
import { awsIngressNotWorldOpen } from "../../../policy/rules/aws-network";
import { adminStack, webStack } from "../corpus/aws-network";
import { runStackPolicy } from "../util";
import { stackArgs } from "./ecs-helpers";

const FOREIGN = "pl-0123456789abcdef0";
type Props = Record<string, unknown>;

const messages = async (stack: readonly ResourceRecord[], config: Props = {}) =>
  (await runStackPolicy(awsIngressNotWorldOpen, stackArgs(stack, config))).map((v) => v.message);

/** The admin group's inline entry admitting only the foreign list on `ports`. */
const inline = (from: unknown, to: unknown = from, protocol: unknown = "tcp") =>
  adminStack({
    inline: (p) => {
      delete p.cidrBlocks;
      Object.assign(p, { protocol, fromPort: from, toPort: to, prefixListIds: [FOREIGN] });
    },
  });

describe("aws-ingress-not-world-open: prefix lists outside the stack", () => {
  it("refuses one on SSH, naming the list, why, and the fix", async () => {
    const m = (await messages(inline(22))).join("\n");
    expect(m).toMatch(/Security group "admin-sg": `ingress\[0\]` opens TCP 22.*22 \(SSH\)/);
    expect(m).toMatch(/pl-0123456789abcdef0.*not a ManagedPrefixList of this stack/);
    expect(m).toMatch(/its entries cannot be read from the stack/);
    expect(m).toMatch(/trustedPrefixListIds/);
  });

  it("refuses one on every port (protocol -1)", async () => {
    expect((await messages(inline(0, 0, "-1"))).join("\n")).toMatch(
      /opens protocol -1 \(all traffic\).*pl-0123456789abcdef0/,
    );
  });

  it("refuses one on PostgreSQL in a vpc.SecurityGroupIngressRule (an invoke's id is a literal)", async () => {
    const stack = adminStack({
      vpcRule: (p) => {
        delete p.cidrIpv4;
        p.prefixListId = FOREIGN;
      },
    });
    expect((await messages(stack)).join("\n")).toMatch(
      /Ingress rule "admin-postgres".*5432 \(PostgreSQL\).*pl-0123456789abcdef0/,
    );
  });

  it("refuses one on RDP in an ec2.SecurityGroupRule", async () => {
    const stack = adminStack({
      sgRule: (p) => {
        delete p.cidrBlocks;
        p.prefixListIds = [FOREIGN];
      },
    });
    expect((await messages(stack)).join("\n")).toMatch(
      /Ingress rule "admin-rdp".*3389 \(RDP\).*pl-0123456789abcdef0/,
    );
  });

  it("reports unknown ports beside one as unknown at preview, at the rule's level", async () => {
    expect((await messages(inline(UNKNOWN, UNKNOWN))).join("\n")).toMatch(
      /ports of `ingress\[0\]` of Security group "admin-sg".*unknown at preview/,
    );
  });

  it("trusts one on a port that is not sensitive", async () => {
    expect(await messages(inline(8443))).toEqual([]);
    const cloudfront = webStack({
      sg: (p) =>
        (p.ingress = [{ protocol: "tcp", fromPort: 443, toPort: 443, prefixListIds: [FOREIGN] }]),
    });
    expect(await messages(cloudfront)).toEqual([]);
  });

  it("trusts one on a sensitive port when its id is in trustedPrefixListIds", async () => {
    expect(await messages(inline(22), { trustedPrefixListIds: [FOREIGN] })).toEqual([]);
    expect(
      await messages(inline(22), { trustedPrefixListIds: ["pl-0fffffffffffffff0"] }),
    ).not.toEqual([]);
  });

  it("declares trustedPrefixListIds (default []) and says such ids are trusted on other ports", () => {
    const schema = awsIngressNotWorldOpen.configSchema!.properties!.trustedPrefixListIds!;
    expect(schema).toMatchObject({ type: "array", items: { type: "string" }, default: [] });
    expect(awsIngressNotWorldOpen.description).toMatch(/outside the stack.*trusted on other ports/);
  });
});
