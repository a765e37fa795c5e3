/**
 * An S3 endpoint for layer 5: s3rver in-process, reachable from containers on the private
 * engine, behind a SigV4 check against one fixed key pair.
 *
 * Why the check is ours: s3rver 3.7.1 does not verify SigV4 signatures. Its authentication
 * middleware (s3rver lib/middleware/authentication.js, `signature.version === 4`: "Signature
 * version 4 calculation is unimplemeneted") accepts any signature from a known access key ID
 * (only the hard-coded S3RVER/S3RVER pair of lib/models/account.js, with no option to set
 * another), and lets unsigned requests through; `allowMismatchedSignatures` only matters for
 * SigV2. So a wrong secret would succeed against bare s3rver, and a test that wrong
 * credentials fail could never fail. Here every request must carry a header SigV4 signature
 * made with this endpoint's secret, or it gets S3's 403 error (AWS S3 API reference, "Error
 * responses": InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied).
 *
 * What s3rver does not model (pinned by test/docker/s3-standin.test.ts):
 * - x-amz-server-side-encryption is neither stored nor echoed: S3Object.ALLOWED_METADATA
 *   (lib/models/object.js) keeps only Cache-Control, Content-*, Expires, storage class,
 *   redirect location and x-amz-meta-*. `requests` records what the client sent instead.
 * - aws-chunked bodies are not decoded: Content-Encoding is stored as metadata and the body
 *   as sent, chunk framing and trailer included, with a 200. The AWS CLI >= 2.23 checksums
 *   uploads by default (CRC64NVME from `s3 cp` with awscrt) but puts the checksum in a
 *   header unless the endpoint is HTTPS (botocore httpchecksum.py,
 *   resolve_request_checksum_algorithm: unsigned trailers only over TLS). So this endpoint
 *   stays HTTP; over HTTPS the CLI would need AWS_REQUEST_CHECKSUM_CALCULATION=when_required.
 * The payload hash (x-amz-content-sha256) is signed over but not compared with the body.
 */
import { timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import Docker from "dockerode";
import S3rver from "s3rver";
import { DOCKER_SOCKET } from "../layers";
import { tempDir } from "../real/util";

export interface S3Request {
  readonly method: string;
  /** The path as sent, without the query. */
  readonly path: string;
  readonly query: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Null when the signature held; otherwise the S3 error code the client got. */
  readonly refused: string | null;
}

export interface S3Endpoint {
  /** http://<gateway>:<port>: the engine network's gateway, an address of the host itself. */
  readonly endpointFromContainers: string;
  /** The same URL: the host reaches its own gateway address; nothing listens on loopback. */
  readonly endpointFromHost: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Every request, in order, with the verdict of the signature check. */
  readonly requests: readonly S3Request[];
  listKeys(prefix?: string): Promise<string[]>;
  /** The stored bytes, or undefined when there is no such key. */
  getObject(key: string): Promise<Buffer | undefined>;
  stop(): Promise<void>;
}

export interface S3Options {
  readonly bucket?: string;
  /**
   * The engine network whose gateway to listen on. The default bridge's gateway (engine.sh
   * --bip 10.213.0.1) is reached from containers on user-defined networks too: the host owns
   * it, and Docker's isolation rules filter forwarding between bridges, not input to the host.
   * @default "bridge"
   */
  readonly network?: string;
}

export const S3_REGION = "us-east-1";
// Fixed, obviously fake, and shaped like AWS keys (20 and 40 characters).
export const S3_ACCESS_KEY_ID = "AKIAAPISTACKTEST0001";
export const S3_SECRET_ACCESS_KEY = "api-stack-test-secret-000000000000000001";

/** The parts of s3rver 3.7.1 that @types/s3rver leaves out (lib/s3rver.js, stores/filesystem.js). */
interface S3rverInternals {
  readonly store: {
    listObjects(
      bucket: string,
      o: { prefix: string; maxKeys: number },
    ): Promise<{ objects: { key: string }[] }>;
    getObject(bucket: string, key: string): Promise<{ content?: AsyncIterable<Buffer> } | null>;
  };
  readonly logger: { close(): void };
}

export async function start(o: S3Options = {}): Promise<S3Endpoint> {
  const bucket = o.bucket ?? "api-stack-test";
  const host = await gatewayOf(o.network ?? "bridge");
  const directory = tempDir("api-stack-s3-");
  const s3 = new S3rver({
    directory,
    silent: true,
    // Path-style only: the endpoint is an IP address, as the CLI's endpoint rules then use.
    vhostBuckets: false,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  await s3.configureBuckets();
  // s3rver still checks that the key ID is one it knows (InvalidAccessKeyId otherwise).
  accounts().DUMMY_ACCOUNT.createKeyPair(S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY);
  const internals = s3 as unknown as S3rverInternals;
  const handle = s3.callback();
  const requests: S3Request[] = [];

  const server = createServer((req, res) => {
    // The body waits in the paused request stream while the signature is checked.
    void verify(req).then((refused) => {
      const [path = "/", query = ""] = (req.url ?? "/").split("?", 2);
      requests.push({ method: req.method ?? "", path, query, headers: flat(req), refused });
      if (refused === null) return handle(req, res);
      // Read the body first: answering mid-upload makes the client see a reset, not the error.
      req.resume();
      req.on("end", () => refuse(res, req.method === "HEAD", refused));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;

  return {
    endpointFromContainers: url,
    endpointFromHost: url,
    bucket,
    region: S3_REGION,
    accessKeyId: S3_ACCESS_KEY_ID,
    secretAccessKey: S3_SECRET_ACCESS_KEY,
    requests,
    async listKeys(prefix = "") {
      const { objects } = await internals.store.listObjects(bucket, { prefix, maxKeys: 1000 });
      return objects.map((x) => x.key);
    },
    async getObject(key) {
      const object = await internals.store.getObject(bucket, key);
      if (!object?.content) return undefined;
      const chunks: Buffer[] = [];
      for await (const c of object.content) chunks.push(c);
      return Buffer.concat(chunks);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      internals.logger.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** s3rver's account registry (lib/models/account.js): key ID -> account, shared per process. */
const accounts = () =>
  createRequire(__filename)("s3rver/lib/models/account") as {
    DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
  };

/** The gateway of an engine network: the host's address on that bridge. */
async function gatewayOf(network: string): Promise<string> {
  const info = (await new Docker({ socketPath: DOCKER_SOCKET }).getNetwork(network).inspect()) as {
    IPAM?: { Config?: { Gateway?: string; Subnet?: string }[] };
  };
  const gw = info.IPAM?.Config?.find((c) => c.Gateway && !c.Gateway.includes(":"))?.Gateway;
  if (!gw) throw new Error(`the engine network ${network} has no IPv4 gateway`);
  return gw;
}

const MESSAGES: Record<string, string> = {
  AccessDenied: "Access Denied",
  InvalidAccessKeyId: "The AWS Access Key Id you provided does not exist in our records.",
  SignatureDoesNotMatch:
    "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
  AuthorizationHeaderMalformed: "The authorization header is malformed.",
};

function refuse(res: ServerResponse, head: boolean, code: string): void {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
    `<Message>${MESSAGES[code]}</Message><RequestId>api-stack-s3</RequestId></Error>`;
  res.writeHead(403, { "Content-Type": "application/xml", "Content-Length": body.length });
  res.end(head ? undefined : body);
}

function flat(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(",") : v;
  }
  return out;
}

/**
 * AWS Signature Version 4 for a header-signed request, recomputed with the AWS SDK's own signer
 * (@smithy/signature-v4, as S3 clients configure it: no path escaping, the payload hash that
 * x-amz-content-sha256 names) over exactly the headers the client says it signed, and compared
 * with the signature it sent. Returns null, or the S3 error code for the client.
 */
export async function verify(
  req: Pick<IncomingMessage, "method" | "url" | "headers">,
  secret = S3_SECRET_ACCESS_KEY,
  accessKeyId = S3_ACCESS_KEY_ID,
): Promise<string | null> {
  const auth = req.headers.authorization;
  if (!auth) return "AccessDenied"; // anonymous, or presigned (not supported here)
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth.trim(),
    );
  if (!m) return "AuthorizationHeaderMalformed";
  const [, credential = "", signedHeaders = "", signature = ""] = m;
  const [keyId, date = "", region = "", service = "", terminator] = credential.split("/");
  if (keyId !== accessKeyId) return "InvalidAccessKeyId";
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  const when = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (terminator !== "aws4_request" || !amzDate.startsWith(date) || !when) {
    return "AuthorizationHeaderMalformed";
  }
  const [, y, mo, d, h, mi, se] = when;
  const signingDate = new Date(`${y}-${mo}-${d}T${h}:${mi}:${se}Z`);
  const names = signedHeaders.split(";");
  const headers = Object.fromEntries(
    names.map((n) => {
      const v = req.headers[n];
      return [n, Array.isArray(v) ? v.join(",") : (v ?? "")];
    }),
  );
  const [rawPath = "/", rawQuery = ""] = (req.url ?? "/").split("?", 2);
  const query: Record<string, string | string[]> = {};
  for (const pair of rawQuery === "" ? [] : rawQuery.split("&")) {
    const [k = "", v = ""] = pair.split("=", 2).map((x) => decodeURIComponent(x));
    const had = query[k];
    query[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: secret },
    region,
    service,
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: false,
    applyChecksum: false,
  });
  const ours = await signer.sign(
    {
      method: req.method ?? "GET",
      protocol: "http:",
      hostname: String(req.headers.host ?? "").split(":")[0] ?? "",
      path: rawPath,
      query,
      headers,
    },
    {
      signingDate,
      signingRegion: region,
      signingService: service,
      signableHeaders: new Set(names),
    },
  );
  const expected = Buffer.from(
    /Signature=([0-9a-f]{64})/.exec(String(ours.headers.authorization))?.[1] ?? "",
  );
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given)
    ? null
    : "SignatureDoesNotMatch";
}
