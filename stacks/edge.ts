/**
 * The edge proxy and its certificate: generated with @pulumi/tls (`edge.tls: selfSigned`),
 * read from the secrets `edgeCertificate` and `edgePrivateKey` (`edge.tls: config`), or obtained
 * at run time by the ACME issuer beside the proxy (`edge.tls: acme`), which serves a generated
 * one until the first issuance.
 */
import { X509Certificate } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { API_ALIAS, type ApiService } from "../components/api-service";
import { EDGE_ACME_ALIAS, EDGE_ACME_DEFAULTS, EdgeAcme } from "../components/edge-acme";
import { ACME_PATHS, acmeCertificateFile } from "../components/lib/acme-script";
import { EdgeProxy } from "../components/edge-proxy";
import type { Networks } from "../components/networks";
import type { EdgeConfig, StackConfig } from "./config";

/** The HAProxy backend the API's replicas are in; the edge alert rules name it. */
export const EDGE_BACKEND = "api";

/** A generated certificate is valid this long. */
export const SELF_SIGNED_VALIDITY_HOURS = 24 * 365;
/** Within this much of its end, `pulumi up` replaces a generated certificate. */
export const SELF_SIGNED_EARLY_RENEWAL_HOURS = 24 * 30;

export interface EdgeTls {
  readonly certPem: pulumi.Output<string>;
  readonly keyPem: pulumi.Output<string>;
  /** When the certificate expires, Unix seconds: EdgeCertificateExpiring's date. */
  readonly notAfter: pulumi.Output<number>;
}

/** The ACME issuer's challenge server, as the edge's haproxy.cfg routes to it. */
export const EDGE_ACME_ROUTE = {
  host: EDGE_ACME_ALIAS,
  port: EDGE_ACME_DEFAULTS.challengePort,
} as const;

/** The certificate and key the proxy serves; the key is a secret either way. */
export function edgeTls(edge: EdgeConfig, config: pulumi.Config): EdgeTls {
  if (edge.tls === "config") {
    // stacks/config/edge-rules.ts has checked that both are set and are PEM.
    const certPem = config.requireSecret("edgeCertificate");
    return {
      certPem,
      keyPem: config.requireSecret("edgePrivateKey"),
      notAfter: pulumi.unsecret(certPem.apply(certificateNotAfter)),
    };
  }
  const key = new tls.PrivateKey("edge-key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
  const cert = new tls.SelfSignedCert("edge-cert", {
    privateKeyPem: key.privateKeyPem,
    subject: { commonName: edge.dnsNames[0] },
    dnsNames: edge.dnsNames,
    validityPeriodHours: SELF_SIGNED_VALIDITY_HOURS,
    // Replaced by the first `pulumi up` within 30 days of its end, before EdgeCertificateExpiring
    // (14 days) fires. Without it the provider plans a replacement only once the certificate has
    // expired (hashicorp/terraform-provider-tls internal/provider/common_cert.go,
    // modifyPlanIfCertificateReadyForRenewal; early_renewal_hours defaults to 0).
    earlyRenewalHours: SELF_SIGNED_EARLY_RENEWAL_HOURS,
    allowedUses: ["serverAuth", "keyEncipherment", "digitalSignature"],
  });
  return {
    certPem: cert.certPem,
    // The provider already returns it as a secret (pulumi/pulumi-tls sdk/nodejs/privateKey.ts:
    // additionalSecretOutputs ["privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8"]);
    // wrapped again so it stays one whatever the provider version.
    keyPem: pulumi.secret(key.privateKeyPem),
    // The provider's own computed end (pulumi/pulumi-tls sdk/nodejs/selfSignedCert.ts,
    // validityEndTime: "The time until which the certificate is invalid, as an RFC3339 timestamp").
    notAfter: cert.validityEndTime.apply((t) => Math.floor(Date.parse(t) / 1_000)),
  };
}

/** A PEM chain's first certificate's notAfter, Unix seconds. */
export function certificateNotAfter(pem: string): number {
  try {
    return Math.floor(Date.parse(new X509Certificate(pem).validTo) / 1_000);
  } catch (e) {
    throw new pulumi.RunError(
      `\`api-stack:edgeCertificate\` is not a certificate Node can read (${(e as Error).message}): set it again with \`pulumi config set --secret edgeCertificate -- "$(cat cert.pem)"\``,
    );
  }
}

/** The proxy in front of the API's replicas, on the frontend network they share. */
export function createEdge(
  cfg: StackConfig,
  edge: EdgeConfig,
  networks: Networks,
  api: ApiService,
  config: pulumi.Config,
): EdgeProxy {
  const tlsFiles = edgeTls(edge, config);
  const proxy = new EdgeProxy(
    "edge",
    {
      image: edge.image,
      hostIp: edge.hostIp,
      httpPort: edge.httpPort,
      httpsPort: edge.httpsPort,
      maxBodyBytes: edge.maxBodyBytes,
      hstsMaxAgeSeconds: edge.hstsMaxAgeSeconds,
      memoryMb: edge.memoryMb,
      upstream: {
        name: EDGE_BACKEND,
        host: API_ALIAS,
        port: cfg.api.port,
        healthPath: cfg.api.healthcheck.path,
        replicas: cfg.api.replicas,
      },
      networkName: networks.edgeName,
      monitoringNetworkName: networks.monitoringName,
      // With ACME the generated certificate is only the fallback until the first issuance, so
      // its end is not the served certificate's: no EdgeCertificateExpiring date from it.
      tls: edge.tls === "acme" ? { certPem: tlsFiles.certPem, keyPem: tlsFiles.keyPem } : tlsFiles,
      acme: edge.tls === "acme" ? EDGE_ACME_ROUTE : undefined,
      // Once lego has a certificate, the installer no longer puts the fallback over it.
      keepCertificateIf:
        edge.tls === "acme" ? acmeCertificateFile(ACME_PATHS.state, edge.dnsNames) : undefined,
      maintenance: {
        enabled: edge.maintenance.enabled,
        message: edge.maintenance.message,
        allow: edge.maintenance.allow,
        retryAfterSeconds: edge.maintenance.retryAfter / 1_000,
      },
      stack: cfg.stack,
    },
    // The proxy's health check needs a replica to route to only at run time, but starting it
    // after them keeps the first `pulumi up` from serving 503s while the API starts.
    { dependsOn: api.containers },
  );
  if (edge.tls === "acme" && edge.acme !== undefined) createAcme(cfg, edge, networks, proxy);
  return proxy;
}

/** The ACME issuer beside the proxy, on the frontend network and the edge state volume. */
function createAcme(
  cfg: StackConfig,
  edge: EdgeConfig,
  networks: Networks,
  proxy: EdgeProxy,
): EdgeAcme {
  const a = edge.acme as NonNullable<EdgeConfig["acme"]>;
  return new EdgeAcme("edge-acme", {
    domains: edge.dnsNames,
    email: a.email,
    directoryUrl: a.directoryUrl,
    caCertificatePem: a.caCertificate,
    renewDays: a.renewDays,
    renewEveryMs: a.renewEvery,
    retryEveryMs: a.retryEvery,
    image: a.image,
    memoryMb: a.memoryMb,
    networkName: networks.edgeName,
    stateVolumeName: proxy.state.name,
    dependsOn: [proxy],
    stack: cfg.stack,
  });
}
