import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { TYPES } from "./types";

export interface StackSecretsArgs {
  /** A Redis password from `pulumi config set --secret`; generated when absent. */
  readonly redisPassword?: pulumi.Input<string>;
  /** The app's SECRET_KEY from `pulumi config set --secret`; generated when absent. */
  readonly secretKey?: pulumi.Input<string>;
  /** Length of generated passwords. Range 32–128. @default 40 */
  readonly passwordLength?: number;
  /** Generate the local Redis's three ACL passwords; managed caches bring their own. @default true */
  readonly redisPasswords?: boolean;
}

/**
 * Every credential the stack needs, generated with `@pulumi/random` unless the user set
 * one with `--secret`. Generated passwords are alphanumeric so they survive redis.conf,
 * URLs and shells unescaped; 40 characters of that alphabet is about 238 bits.
 *
 * @example
 * const secrets = new StackSecrets("app", {});
 * // secrets.redisPassword is a secret Output<string>
 */
export class StackSecrets extends pulumi.ComponentResource {
  /** The application's Redis password (ACL user `default`). Secret. */
  public readonly redisPassword?: pulumi.Output<string>;
  /** The healthcheck's Redis password (ACL user `probe`, PING only). Secret. */
  public readonly probePassword?: pulumi.Output<string>;
  /** The operators' Redis password (ACL user `admin`). Secret. */
  public readonly adminPassword?: pulumi.Output<string>;
  /** 32 random bytes as 64 hex characters. Secret. */
  public readonly secretKey: pulumi.Output<string>;

  constructor(name: string, args: StackSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.StackSecrets, name, {}, opts);
    const length = args.passwordLength ?? 40;
    if (!Number.isInteger(length) || length < 32 || length > 128) {
      throw new pulumi.ResourceError(
        `\`passwordLength\` (${length}) must be a whole number from 32 to 128`,
        this,
        true,
      );
    }
    const password = (role: string) =>
      new random.RandomPassword(
        `${name}-${role}`,
        { length, special: false, minLower: 4, minUpper: 4, minNumeric: 4 },
        { parent: this },
      ).result;

    if (args.redisPasswords ?? true) {
      this.redisPassword = pulumi.secret(args.redisPassword ?? password("redis-password"));
      this.probePassword = pulumi.secret(password("redis-probe-password"));
      this.adminPassword = pulumi.secret(password("redis-admin-password"));
    }
    this.secretKey = pulumi.secret(
      args.secretKey ??
        new random.RandomId(`${name}-secret-key`, { byteLength: 32 }, { parent: this }).hex,
    );
    this.registerOutputs({
      redisPassword: this.redisPassword,
      probePassword: this.probePassword,
      adminPassword: this.adminPassword,
      secretKey: this.secretKey,
    });
  }
}
