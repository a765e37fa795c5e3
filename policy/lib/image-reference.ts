/**
 * Docker image references, by the grammar Docker itself uses: distribution/reference
 * (github.com/distribution/reference) `regexp.go` (the grammar), `reference.go` `Parse` and
 * `normalize.go` `ParseNormalizedNamed`/`splitDockerDomain` (the familiar short forms such as
 * `redis:7`), with go-digest's `Digest.Validate` for the digest. Their test tables
 * (`reference_test.go` TestReferenceParse, `normalize_test.go` TestValidateReferenceName and
 * TestValidateRemoteName) run against this port in test/policy/lib/image-reference.test.ts.
 *
 * Why our own port rather than a package: npm has no maintained parser of this grammar.
 * `docker-parse-image` (3.0.1, mafintosh) is a one-file regex split that validates nothing, and
 * `parse-docker-image-name` (3.0.0) is the same kind of splitter; neither refuses `Redis:7` or
 * accepts exactly what Docker accepts. The grammar is short and has an upstream test table.
 *
 * Both RE2 (Go) and JS regexps pick the leftmost-first alternative, so the captures match.
 */

const alphanumeric = "[a-z0-9]+";
const separator = "(?:[._]|__|[-]+)";
const domainNameComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const optionalPort = "(?::[0-9]+)?";
const tag = "[\\w][\\w.-]{0,127}";
const digestPat = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}";
const ipv6address = "\\[(?:[a-fA-F0-9:]+)\\]";
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = host + optionalPort;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;

const referenceRegexp = new RegExp(`^(${namePat})(?::(${tag}))?(?:@(${digestPat}))?$`);
const anchoredNameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const anchoredIdentifierRegexp = /^[a-f0-9]{64}$/;

/** reference.go `RepositoryNameTotalLengthMax`. */
export const NAME_TOTAL_LENGTH_MAX = 255;

/**
 * Digest algorithms Docker can verify, with their hex length. go-digest registers sha256,
 * sha384 and sha512, but each is `Available()` only when its crypto package is linked in;
 * distribution/reference's own test expects sha512 to be refused as unsupported, and every
 * registry serves sha256, so that is the one we accept.
 */
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64 };

export interface Reference {
  /** Registry host[:port], "" when the reference names none (distribution's `Domain`). */
  readonly domain: string;
  /** Repository path without the domain, e.g. "library/redis" or "acme/app". */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

export type ParsedReference =
  ({ readonly ok: true } & Reference) | { readonly ok: false; readonly error: string };

/** go-digest `Digest.Validate`, with the algorithms of {@link DIGEST_HEX_LENGTH}. */
export function digestProblem(digest: string): string | undefined {
  const i = digest.indexOf(":");
  if (i <= 0 || i + 1 === digest.length) return "invalid checksum digest format";
  const algorithm = digest.slice(0, i);
  const encoded = digest.slice(i + 1);
  const size = DIGEST_HEX_LENGTH[algorithm];
  if (size === undefined) {
    return new RegExp(`^${digestPat}$`).test(digest)
      ? "unsupported digest algorithm"
      : "invalid checksum digest format";
  }
  if (encoded.length !== size) return "invalid checksum digest length";
  return /^[a-f0-9]+$/.test(encoded) ? undefined : "invalid checksum digest format";
}

/** distribution/reference `Parse`: a reference exactly as written, with no defaults added. */
export function parseReference(s: string): ParsedReference {
  const fail = (error: string): ParsedReference => ({ ok: false, error });
  if (s === "") return fail("repository name must have at least one component");
  const matches = referenceRegexp.exec(s);
  if (!matches) {
    const lower = s.toLowerCase();
    return lower !== s && referenceRegexp.test(lower)
      ? fail("repository name must be lowercase")
      : fail("invalid reference format");
  }
  const name = matches[1] as string;
  const nameMatch = anchoredNameRegexp.exec(name);
  const domain = nameMatch?.[1] ?? "";
  const path = nameMatch?.[2] ?? name;
  if (path.length > NAME_TOTAL_LENGTH_MAX) {
    return fail(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const digest = matches[3];
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem !== undefined) return fail(problem);
  }
  return { ok: true, domain, path, tag: matches[2], digest };
}

/** Whether a reference's first "/"-separated component names a registry (`splitDockerDomain`). */
export function isRegistryHost(first: string): boolean {
  return first === "localhost" || /[.:]/.test(first) || first.toLowerCase() !== first;
}

/**
 * distribution/reference `splitDockerDomain`: the registry of a familiar name, Docker Hub
 * (`docker.io`, with `library/` for one-component names) unless the first component looks like
 * a host: it contains "." or ":", is "localhost", or has an upper-case letter.
 */
export function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf("/");
  if (slash < 0) return { domain: "docker.io", remainder: `library/${name}` };
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (isRegistryHost(first)) {
    [domain, remainder] = first === "index.docker.io" ? ["docker.io", rest] : [first, rest];
  } else {
    [domain, remainder] = ["docker.io", name];
  }
  if (domain === "docker.io" && !remainder.includes("/")) remainder = `library/${remainder}`;
  return { domain, remainder };
}

/**
 * distribution/reference `ParseNormalizedNamed`: what `docker pull`/`docker run` accept, with
 * Docker Hub and `library/` filled in (`redis:7` is `docker.io/library/redis:7`).
 */
export function parseNormalizedNamed(s: string): ParsedReference {
  if (anchoredIdentifierRegexp.test(s)) {
    return {
      ok: false,
      error: `invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`,
    };
  }
  const { domain, remainder } = splitDockerDomain(s);
  const tagSep = remainder.indexOf(":");
  const remote = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (remote.toLowerCase() !== remote) {
    return {
      ok: false,
      error: `invalid reference format: repository name (${remote}) must be lowercase`,
    };
  }
  return parseReference(`${domain}/${remainder}`);
}

/**
 * The parts of any reference, valid or not, for rules that must classify whatever a resource
 * holds: the digest after "@", a tag after the last ":" that follows the last "/" (a colon
 * before it is a registry port, as in `localhost:5000/app`), and the name before them.
 */
export function splitImageReference(ref: string): {
  repository: string;
  tag?: string;
  digest?: string;
} {
  const at = ref.indexOf("@");
  const nameAndTag = at >= 0 ? ref.slice(0, at) : ref;
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const slash = nameAndTag.lastIndexOf("/");
  const colon = nameAndTag.lastIndexOf(":");
  if (colon > slash) {
    return { repository: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1), digest };
  }
  return { repository: nameAndTag, digest };
}
