/**
 * `edge.acme`, with `edge.tls: acme`: where the edge's certificate is obtained (any ACME CA,
 * Let's Encrypt by default) and when it is renewed. The output is `EdgeAcmeArgs`' shape less
 * the names, network and volume, which the stack supplies; the defaults are the component's
 * (components/edge-acme.ts). The rules between it and the rest of `edge` are in edge-rules.ts.
 */
import { z } from "zod";
import {
  EDGE_ACME_DEFAULTS as D,
  LETS_ENCRYPT_DIRECTORY,
  LETS_ENCRYPT_STAGING_DIRECTORY,
} from "../../components/edge-acme";
import { cliNumber, duration, image, type Issue } from "./fields";

/** The directories whose HTTP-01 validation is known to use port 80 (RFC 8555 section 8.3). */
export const LETS_ENCRYPT_DIRECTORIES = [
  LETS_ENCRYPT_DIRECTORY,
  LETS_ENCRYPT_STAGING_DIRECTORY,
] as const;

/** Let's Encrypt's certificates last 90 days; renewing within 90 or more would renew every check. */
export const RENEW_DAYS_MAX = 89;
const RENEW_EVERY_MIN_MS = 1_000;
/** A check a day at least, so a failed renewal has 29 more chances before the end. */
const RENEW_EVERY_MAX_MS = 24 * 3_600_000;
const RETRY_EVERY_MIN_MS = 1_000;

const wholeSeconds = (what: string, example: string, min: number, max?: number) =>
  duration(example).superRefine((ms, ctx) => {
    if (ms % 1_000 !== 0 || ms < min || (max !== undefined && ms > max))
      ctx.addIssue({
        code: "custom",
        message: `must be whole seconds from ${min / 1_000}s${max === undefined ? "" : ` to ${max / 3_600_000}h`} (${what}), e.g. "${example}"`,
      });
  });

/** The shortest `retryEvery` with Let's Encrypt: 5 failed validations an hour, spread out. */
export const LE_RETRY_MIN_MS = 12 * 60_000;

export const acmeSchema = z.strictObject({
  email: z
    .string({
      error:
        "is required: the ACME account's contact address (the CA may write to it about problems with the account; Let's Encrypt sends no expiry reminders since 2025), e.g. \"ops@example.com\"",
    })
    .regex(/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, {
      error: 'must be an email address, e.g. "ops@example.com"',
    }),
  directoryUrl: z
    .url({
      protocol: /^https$/,
      error: `must be the https URL of an ACME directory, e.g. Let's Encrypt's "${LETS_ENCRYPT_DIRECTORY}"`,
    })
    .refine((u) => !u.includes("'"), { error: "must not contain a quote" })
    .default(D.directoryUrl),
  renewDays: cliNumber(
    z
      .number()
      .int()
      .min(1, { error: "must be at least 1 (days before the end)" })
      .max(RENEW_DAYS_MAX, {
        error: `must be at most ${RENEW_DAYS_MAX}: Let's Encrypt's certificates last 90 days, so more would renew at every check; 30 is the usual`,
      }),
  ).default(D.renewDays),
  renewEvery: wholeSeconds(
    "how often the issuer checks whether to renew",
    "12h",
    RENEW_EVERY_MIN_MS,
    RENEW_EVERY_MAX_MS,
  ).prefault(`${D.renewEveryMs / 3_600_000}h`),
  retryEvery: wholeSeconds(
    "how long a failed attempt waits before the next",
    "15m",
    RETRY_EVERY_MIN_MS,
  ).prefault(`${D.retryEveryMs / 60_000}m`),
  /** The root of a private CA's directory certificate (Pebble, a company CA); not a secret. */
  caCertificate: z
    .string()
    .regex(/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/, {
      error:
        "must be a PEM certificate (-----BEGIN CERTIFICATE-----): the root that signs the ACME directory's HTTPS certificate",
    })
    .optional(),
  image: image()
    .refine((ref) => /(^|\/)lego([:@]|$)/.test(ref), {
      error: `must be a lego image laid out as goacme/lego, e.g. "${D.image}": the issuer runs lego's CLI with the image's busybox sh`,
    })
    .prefault(D.image),
  memoryMb: cliNumber(
    z.number().int().min(16, {
      error:
        "must be at least 16 (MB), the policy pack's `container-memory-limit` minimum: below it lego is OOM-killed at start",
    }),
  ).default(D.memoryMb),
});

export type AcmeConfig = z.output<typeof acmeSchema>;

/** What `edge.tls: acme` needs from the rest of `edge`; `issue` reports against the stack file. */
export function checkAcme(
  edge: {
    tls: string;
    acme?: AcmeConfig;
    dnsNames: readonly string[];
    httpPort: number;
  },
  prod: boolean,
  issue: Issue,
): void {
  if (edge.tls !== "acme") {
    if (edge.acme !== undefined)
      issue(
        ["edge", "acme"],
        `only applies with \`edge.tls: acme\` (this stack uses "${edge.tls}"): remove the block, or set \`edge.tls: acme\``,
      );
    return;
  }
  const a = edge.acme;
  if (a === undefined) {
    issue(
      ["edge", "acme"],
      "is required with `edge.tls: acme`: add `acme: { email: \"ops@example.com\" }` under `edge` (the directory defaults to Let's Encrypt's)",
    );
    return;
  }
  edge.dnsNames.forEach((d, i) => {
    if (d === "localhost" || d.endsWith(".localhost"))
      issue(
        ["edge", "dnsNames", i],
        `("${d}") cannot be validated by an ACME CA (and is the default when \`edge.dnsNames\` is unset): list the public DNS names clients use, e.g. ["shop.example.com"]`,
      );
    // Let's Encrypt, "Challenge Types", HTTP-01: "You can't use it to issue wildcard certificates".
    if (d.startsWith("*."))
      issue(
        ["edge", "dnsNames", i],
        `("${d}") is a wildcard, which HTTP-01 cannot validate (only DNS-01 can): list each name, e.g. "${d.slice(2)}"`,
      );
  });
  const le = (LETS_ENCRYPT_DIRECTORIES as readonly string[]).includes(a.directoryUrl);
  // RFC 8555 section 8.3: the CA fetches http://<domain>/.well-known/acme-challenge/<token>, so
  // on port 80; only a private CA (Pebble's httpPort, a company CA: the ones `caCertificate`
  // is for) can be told another.
  if (edge.httpPort !== 80 && (le || a.caCertificate === undefined))
    issue(
      ["edge", "httpPort"],
      `(${edge.httpPort}) must be 80 with a public ACME CA: its HTTP-01 check always connects to port 80 of each name; remove \`edge.httpPort\` or publish 80 to it`,
    );
  // Let's Encrypt allows 5 failed validations per account, name and hour ("Rate Limits",
  // Authorization Failures per Hostname per Account), and pauses a name that keeps failing.
  if (le && a.retryEvery < LE_RETRY_MIN_MS)
    issue(
      ["edge", "acme", "retryEvery"],
      `(${a.retryEvery / 1_000}s) is shorter than ${LE_RETRY_MIN_MS / 60_000}m: Let's Encrypt allows 5 failed validations per name and hour, and a name that keeps failing faster is paused; remove it to get 15m`,
    );
  // The first name is the certificate's common name (lego v4.9.1 certificate/certificates.go),
  // which RFC 5280 limits to 64 characters (ub-common-name); the CA refuses a longer one.
  const first = edge.dnsNames[0];
  if (first !== undefined && first.length > 64)
    issue(
      ["edge", "dnsNames", 0],
      `("${first}") is ${first.length} characters; the first name becomes the certificate's common name, at most 64: put a shorter name first`,
    );
  edge.dnsNames.forEach((d, i) => {
    if (edge.dnsNames.indexOf(d) !== i)
      issue(["edge", "dnsNames", i], `("${d}") is listed twice: list each name once`);
  });
  if (prod && a.directoryUrl === LETS_ENCRYPT_STAGING_DIRECTORY)
    issue(
      ["edge", "acme", "directoryUrl"],
      `is Let's Encrypt's staging directory, whose certificates no browser trusts, in production: remove \`edge.acme.directoryUrl\` to get "${LETS_ENCRYPT_DIRECTORY}"`,
    );
}
