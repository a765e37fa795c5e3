/**
 * The rules between the edge proxy and the services behind it: with `edge`, the proxy is the
 * only publisher and the web service runs as replicas; without it, one API container binds
 * its host port. Each is the config twin of a rule in the policy pack (policy/rules/edge.ts),
 * caught here first with the stack file's key and fix.
 */
import { UNKNOWN } from "../../policy/lib/unknown";
import { checkAcme } from "./edge-acme";
import type { Issue } from "./fields";
import type { ParsedStack } from "./schema";

/** The pack's `edge-web-replicas` minimum (policy/config/prod.json, minReplicas 2). */
export const PROD_MIN_WEB_REPLICAS = 2;
/** The pack's `edge-proxy-ports` allowed ports in production (allowedPorts [80, 443]). */
export const PROD_EDGE_PORTS = { httpPort: 80, httpsPort: 443 } as const;

/** What `edgeCertificate` / `edgePrivateKey` must start with, and how to set each from a file. */
export const TLS_SECRETS = [
  {
    key: "edgeCertificate",
    file: "cert.pem",
    pem: /-----BEGIN CERTIFICATE-----/,
    what: "a PEM certificate chain (-----BEGIN CERTIFICATE-----)",
  },
  {
    key: "edgePrivateKey",
    file: "key.pem",
    pem: /-----BEGIN (RSA |EC )?PRIVATE KEY-----/,
    what: "a PEM private key (-----BEGIN PRIVATE KEY-----)",
  },
] as const;

const setFromFile = (key: string, file: string) =>
  `\`pulumi config set --secret ${key} -- "$(cat ${file})"\``;

export function checkEdge(c: ParsedStack, prod: boolean, issue: Issue): void {
  const edge = c.edge;
  const api = c.api;
  if (edge === undefined) {
    if (api.replicas > 1)
      issue(
        ["api", "replicas"],
        `(${api.replicas}) needs the \`edge\` proxy: without it the API publishes a fixed host port, which only one container can bind; add an \`edge\` block (see docs/configuration.md) or set replicas to 1`,
      );
    for (const s of TLS_SECRETS)
      if (c[s.key] !== undefined)
        issue([s.key], "only applies with `edge.tls: config`: remove it with `pulumi config rm`");
    return;
  }
  for (const key of ["hostPort", "hostIp"] as const)
    if (api[key] !== undefined)
      issue(
        ["api", key],
        `is set, but with \`edge\` the API publishes nothing: the edge proxy is the only container with host ports (\`edge.hostIp\`, \`edge.httpPort\`, \`edge.httpsPort\`); remove \`api.${key}\``,
      );
  if (prod && api.replicas < PROD_MIN_WEB_REPLICAS)
    issue(
      ["api", "replicas"],
      `(${api.replicas}) must be at least ${PROD_MIN_WEB_REPLICAS} in production behind the edge proxy, as the policy pack's \`edge-web-replicas\` requires: with one replica a crash or a deploy takes the API down; set \`api.replicas: ${PROD_MIN_WEB_REPLICAS}\``,
    );
  // A port that is out of range or equal to the other is reported once, by the schema.
  const portsValid = [edge.httpPort, edge.httpsPort].every(
    (p) => Number.isInteger(p) && p >= 1 && p <= 65_535,
  );
  if (prod) {
    for (const key of ["httpPort", "httpsPort"] as const)
      if (portsValid && edge.httpPort !== edge.httpsPort && edge[key] !== PROD_EDGE_PORTS[key])
        issue(
          ["edge", key],
          `(${edge[key]}) must be ${PROD_EDGE_PORTS[key]} in production, as the policy pack's \`edge-proxy-ports\` requires: clients expect HTTP on 80 and HTTPS on 443; remove it to get the default`,
        );
    if (edge.memoryMb === undefined)
      issue(
        ["edge", "memoryMb"],
        "is required in production (e.g. 128) so a flood of connections cannot take the host down, as the policy pack's `container-memory-limit` requires",
      );
  }
  const debugPort = c.redis.mode === "local" ? c.redis.debugPort : undefined;
  for (const key of ["httpPort", "httpsPort"] as const)
    if (edge[key] === debugPort)
      issue(["edge", key], `(${edge[key]}) is also \`redis.debugPort\`: pick different host ports`);
  checkAcme(edge, prod, issue);
  for (const s of TLS_SECRETS) {
    const value = c[s.key];
    if (edge.tls !== "config") {
      if (value !== undefined)
        issue(
          [s.key],
          `only applies with \`edge.tls: config\` (this stack uses "${edge.tls}"): remove it with \`pulumi config rm ${s.key}\``,
        );
    } else if (value === undefined) {
      issue(
        [s.key],
        `is required with \`edge.tls: config\`: run ${setFromFile(s.key, s.file)}, or use \`edge.tls: selfSigned\``,
      );
    } else if (value !== UNKNOWN && !s.pem.test(value)) {
      // Never quoted back: the key is a secret, and a pasted certificate may carry its key.
      issue([s.key], `is not ${s.what}: set it from the file with ${setFromFile(s.key, s.file)}`);
    }
  }
}
