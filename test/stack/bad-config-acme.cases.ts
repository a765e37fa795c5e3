/**
 * Issue 25's corpus for `edge.tls: acme`: each starts from the real Pulumi.prod.yaml's `edge`
 * block switched to ACME with public names and an email, and gets one thing wrong.
 */
import { merge, stackObject } from "../helpers/stack-blocks";
import type { BadConfigCase } from "./bad-config.cases";

type Obj = Record<string, unknown>;

const GOOD = {
  tls: "acme",
  dnsNames: ["shop.example.com"],
  acme: { email: "ops@example.com" },
};
const edge = (patch: Obj): Obj => ({
  "api-stack:edge": merge(merge(stackObject("prod", "edge"), GOOD), patch),
});
/** `merge` is deep, so this changes (or, with undefined, removes) keys of GOOD's acme block. */
const acme = (patch: Obj): Obj => edge({ acme: patch });

export const ACME_CASES: BadConfigCase[] = [
  {
    name: "edge.tls acme without the acme block",
    stack: "prod",
    overrides: edge({ acme: undefined }),
    expect: ["`api-stack:edge.acme` is required with `edge.tls: acme`", "email"],
  },
  {
    name: "an acme block with tls selfSigned",
    stack: "prod",
    overrides: edge({ tls: "selfSigned" }),
    expect: ["`api-stack:edge.acme` only applies with `edge.tls: acme`", '"selfSigned"'],
  },
  {
    name: "acme without an email",
    stack: "prod",
    overrides: acme({ email: undefined }),
    expect: ["`api-stack:edge.acme.email` is required", "pulumi config set --path edge.acme.email"],
  },
  {
    name: "acme with an email that is not one",
    stack: "prod",
    overrides: acme({ email: "ops" }),
    expect: ["`api-stack:edge.acme.email` must be an email address"],
  },
  {
    name: "acme with the default dnsNames (localhost)",
    stack: "prod",
    overrides: edge({ dnsNames: undefined }),
    expect: [
      '`api-stack:edge.dnsNames.0` ("localhost") cannot be validated by an ACME CA',
      "default",
    ],
  },
  {
    name: "acme with a wildcard name",
    stack: "prod",
    overrides: edge({ dnsNames: ["*.example.com"] }),
    expect: ['`api-stack:edge.dnsNames.0` ("*.example.com") is a wildcard', "DNS-01"],
  },
  {
    name: "acme from Let's Encrypt with HTTP on another host port",
    stack: "dev",
    overrides: {
      "api-stack:api": merge(stackObject("dev", "api"), { hostIp: undefined }),
      "api-stack:edge": { ...GOOD, hostIp: "127.0.0.1", httpPort: 8080, httpsPort: 8443 },
    },
    expect: ["`api-stack:edge.httpPort` (8080) must be 80 with a public ACME CA", "port 80"],
  },
  {
    name: "acme from Let's Encrypt's staging directory in production",
    stack: "prod",
    overrides: acme({ directoryUrl: "https://acme-staging-v02.api.letsencrypt.org/directory" }),
    expect: [
      "`api-stack:edge.acme.directoryUrl` is Let's Encrypt's staging directory",
      "no browser trusts",
    ],
  },
  {
    name: "acme with a plain-HTTP directory",
    stack: "prod",
    overrides: acme({ directoryUrl: "http://ca.example.com/directory" }),
    expect: ["`api-stack:edge.acme.directoryUrl` must be the https URL of an ACME directory"],
  },
  {
    name: "acme renewing 90 days before the end",
    stack: "prod",
    overrides: acme({ renewDays: 90 }),
    expect: ["`api-stack:edge.acme.renewDays` must be at most 89", "90 days"],
  },
  {
    name: "acme checking for renewal once a week",
    stack: "prod",
    overrides: acme({ renewEvery: "168h" }),
    expect: ["`api-stack:edge.acme.renewEvery`", "must be whole seconds from 1s to 24h"],
  },
  {
    name: "acme with a retry that is not a duration",
    stack: "prod",
    overrides: acme({ retryEvery: "soon" }),
    expect: ['`api-stack:edge.acme.retryEvery` "soon" is not a duration'],
  },
  {
    name: "acme with a CA bundle that is not PEM",
    stack: "prod",
    overrides: acme({ caCertificate: "Qk9Lm2Xz9Vb4Nc7Rw1Ky5Hd3Gf6Js0PaEe" }),
    expect: ["`api-stack:edge.acme.caCertificate` must be a PEM certificate"],
  },
  {
    name: "acme with an image that is not lego",
    stack: "prod",
    overrides: acme({ image: "certbot/certbot:v2.11.0" }),
    expect: ["`api-stack:edge.acme.image` must be a lego image", "goacme/lego:v4.9.1"],
  },
  {
    name: "acme with an unknown key",
    stack: "prod",
    overrides: acme({ staging: true }),
    expect: ["`api-stack:edge.acme.staging` is not a known key"],
  },
  // From the upstream review (issue 25).
  {
    name: "acme retryEvery 1m with Let's Encrypt",
    stack: "prod",
    overrides: acme({ retryEvery: "1m" }),
    expect: ["`api-stack:edge.acme.retryEvery` (60s) is shorter than 12m", "5 failed validations"],
  },
  {
    name: "acme with another public CA and httpPort 8080 (no caCertificate)",
    stack: "dev",
    overrides: {
      "api-stack:edge": {
        ...GOOD,
        acme: { email: "ops@example.com", directoryUrl: "https://acme.zerossl.com/v2/DV90" },
        hostIp: "127.0.0.1",
        httpPort: 8080,
        httpsPort: 8443,
      },
    },
    expect: ["`api-stack:edge.httpPort` (8080) must be 80 with a public ACME CA"],
  },
  {
    name: "acme with a first name over 64 characters",
    stack: "prod",
    overrides: edge({ dnsNames: [`${"a".repeat(55)}.example.com`] }),
    expect: ["`api-stack:edge.dnsNames.0`", "is 67 characters", "at most 64"],
  },
  {
    name: "acme with a name listed twice",
    stack: "prod",
    overrides: edge({ dnsNames: ["shop.example.com", "www.example.com", "shop.example.com"] }),
    expect: ["`api-stack:edge.dnsNames.2`", "listed twice"],
  },
];
