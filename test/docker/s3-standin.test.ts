/**
 * The aws-cli stand-in against the in-process S3 endpoint (test/docker/s3.ts): an upload with
 * SSE-S3 arrives, and the same upload with a wrong secret fails loudly. The CLI reaches the
 * host through the engine's bridge gateway, as a container of a stack would.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { engine, requireImages } from "./harness";
import { describeDocker } from "./layer";
import { start, verify, type S3Endpoint } from "./s3";

const IMAGE = "amazon/aws-cli:2.36.7";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Docker's multiplexed log stream: 8-byte frames (stream, 0, 0, 0, big-endian length). */
function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  for (let i = 0; i + 8 <= buf.length;) {
    const size = buf.readUInt32BE(i + 4);
    (buf[i] === 2 ? err : out).push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return {
    stdout: Buffer.concat(out).toString("utf8"),
    stderr: Buffer.concat(err).toString("utf8"),
  };
}

// The worked examples of AWS's "Signature Calculations for the Authorization Header:
// Transferring Payload in a Single Chunk (AWS Signature Version 4)" (Amazon S3 API reference).
describe("the endpoint's SigV4 check reproduces AWS's own examples", () => {
  const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const KEY_ID = "AKIAIOSFODNN7EXAMPLE";
  const signed = (url: string, signature: string, extra: Record<string, string> = {}) => ({
    method: "GET",
    url,
    headers: {
      host: "examplebucket.s3.amazonaws.com",
      "x-amz-date": "20130524T000000Z",
      "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      ...extra,
      authorization:
        `AWS4-HMAC-SHA256 Credential=${KEY_ID}/20130524/us-east-1/s3/aws4_request, ` +
        `SignedHeaders=${["host", ...Object.keys(extra), "x-amz-content-sha256", "x-amz-date"].join(";")}, ` +
        `Signature=${signature}`,
    },
  });

  test.each([
    [
      "GET Object",
      "/test.txt",
      "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
      { range: "bytes=0-9" },
    ],
    [
      "GET Bucket Lifecycle",
      "/?lifecycle",
      "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
      {},
    ],
    [
      "Get Bucket (List Objects)",
      "/?max-keys=2&prefix=J",
      "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
      {},
    ],
  ])("%s", async (_name, url, signature, extra) => {
    expect(await verify(signed(url, signature, extra), SECRET, KEY_ID)).toBeNull();
    expect(await verify(signed(url, signature, extra), `${SECRET}x`, KEY_ID)).toBe(
      "SignatureDoesNotMatch",
    );
    expect(await verify(signed(url, signature, extra), SECRET, "AKIAOTHER")).toBe(
      "InvalidAccessKeyId",
    );
  });

  test("an unsigned request is refused", async () => {
    expect(await verify({ method: "GET", url: "/", headers: {} })).toBe("AccessDenied");
  });
});

describeDocker("the aws-cli stand-in against the in-process S3 endpoint", () => {
  const docker = engine();
  let s3: S3Endpoint;

  beforeAll(async () => {
    await requireImages(docker);
    s3 = await start();
  }, 60_000);
  afterAll(async () => {
    await s3?.stop();
  });

  /** A shell script in the CLI image (its sh is bash on the real tag, dash here). */
  async function cli(script: string, secret: string): Promise<Run> {
    const c = await docker.createContainer({
      Image: IMAGE,
      Entrypoint: ["/bin/sh", "-ec"],
      Cmd: [script],
      Env: [
        `AWS_ACCESS_KEY_ID=${s3.accessKeyId}`,
        `AWS_SECRET_ACCESS_KEY=${secret}`,
        `AWS_DEFAULT_REGION=${s3.region}`,
        `S3_ENDPOINT=${s3.endpointFromContainers}`,
        // No instance metadata service here; without this the CLI probes it for config.
        "AWS_EC2_METADATA_DISABLED=true",
        "AWS_PAGER=",
      ],
      Labels: { "com.api-stack.stack": "s3-standin" },
    });
    try {
      await c.start();
      const { StatusCode } = (await c.wait()) as { StatusCode: number };
      const logs = await c.logs({ stdout: true, stderr: true, follow: false });
      return { code: StatusCode, ...demux(logs) };
    } finally {
      await c.remove({ force: true });
    }
  }

  test("aws s3 cp --sse AES256 uploads the file and aws s3 ls lists it", async () => {
    const r = await cli(
      `printf 'hello from aws-cli\\n' > /aws/report.txt
       aws --endpoint-url "$S3_ENDPOINT" s3 cp /aws/report.txt s3://${s3.bucket}/backups/report.txt --sse AES256
       aws --endpoint-url "$S3_ENDPOINT" s3 ls s3://${s3.bucket}/backups/
       aws --endpoint-url "$S3_ENDPOINT" s3api head-object --bucket ${s3.bucket} --key backups/report.txt --output json`,
      s3.secretAccessKey,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`upload: ./report.txt to s3://${s3.bucket}/backups/report.txt`);
    expect(r.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +19 report\.txt/);
    expect(await s3.listKeys("backups/")).toEqual(["backups/report.txt"]);
    expect((await s3.getObject("backups/report.txt"))?.toString()).toBe("hello from aws-cli\n");

    const put = s3.requests.find((q) => q.method === "PUT" && q.refused === null);
    expect(put?.headers["x-amz-server-side-encryption"]).toBe("AES256");
    // CLI >= 2.23 checksums uploads by default (CRC64NVME from `s3 cp` when awscrt is
    // present). Over HTTP the checksum rides in a header, not an aws-chunked trailer, so
    // s3rver, which does not decode aws-chunked, stores the plain body (checked above).
    const algorithm = put?.headers["x-amz-sdk-checksum-algorithm"]?.toLowerCase() ?? "";
    expect(algorithm).toMatch(/^crc/);
    expect(put?.headers[`x-amz-checksum-${algorithm}`]).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(put?.headers["x-amz-trailer"]).toBeUndefined();
    expect(put?.headers["content-encoding"] ?? "").not.toContain("aws-chunked");
    // s3rver keeps no SSE metadata: real S3 would answer ServerSideEncryption: AES256.
    expect(JSON.parse(r.stdout.slice(r.stdout.indexOf("{"))).ServerSideEncryption).toBeUndefined();
  }, 120_000);

  test("the same upload with a wrong secret fails with SignatureDoesNotMatch", async () => {
    const before = await s3.listKeys("");
    const r = await cli(
      `printf 'must not arrive\\n' > /aws/wrong.txt
       aws --endpoint-url "$S3_ENDPOINT" s3 cp /aws/wrong.txt s3://${s3.bucket}/wrong.txt --sse AES256`,
      "wrong-secret-0000000000000000000000000000",
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/SignatureDoesNotMatch/);
    expect(await s3.listKeys("")).toEqual(before);
    expect(s3.requests.some((q) => q.refused === "SignatureDoesNotMatch")).toBe(true);

    const ls = await cli(
      `aws --endpoint-url "$S3_ENDPOINT" s3 ls s3://${s3.bucket}/`,
      "wrong-secret-0000000000000000000000000000",
    );
    expect(ls.code).not.toBe(0);
    expect(ls.stderr).toMatch(/SignatureDoesNotMatch/);
  }, 120_000);
});
