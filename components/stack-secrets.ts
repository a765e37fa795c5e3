import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { argError, TYPES } from "./types";

export interface StackSecretsArgs {
  /** A Redis password from `pulumi config set --secret`; generated when absent. @default generated */
  readonly redisPassword?: pulumi.Input<string>;
  /** The app's SECRET_KEY from `pulumi config set --secret`. @default 32 random bytes as hex */
  readonly secretKey?: pulumi.Input<string>;
  /** Length of generated passwords. Range 32–128. @default 40 */
  readonly passwordLength?: number;
  /** Generate the local Redis's three ACL passwords; managed caches bring their own. @default true */
  readonly redisPasswords?: boolean;
  /** Generate the password of the local Redis's `backup` ACL user. @default false */
  readonly backupPassword?: boolean;
  /** Generate the password of the local Redis's `exporter` ACL user (monitoring). @default false */
  readonly exporterPassword?: boolean;
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
  /** The snapshot container's Redis password (ACL user `backup`: SYNC and REPLCONF). Secret. */
  public readonly backupPassword?: pulumi.Output<string>;
  /** redis_exporter's Redis password (ACL user `exporter`: INFO, CONFIG GET, …). Secret. */
  public readonly exporterPassword?: pulumi.Output<string>;
  /** 32 random bytes as 64 hex characters. Secret. */
  public readonly secretKey: pulumi.Output<string>;

  constructor(name: string, args: StackSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPES.StackSecrets, name, {}, opts);
    const a = resolveStackSecretsArgs(args);
    this.checkArgs(a);
    if (a.redisPasswords) {
      this.redisPassword = pulumi.secret(
        a.redisPassword ?? this.createPassword(`${name}-redis-password`, a.passwordLength),
      );
      this.probePassword = pulumi.secret(
        this.createPassword(`${name}-redis-probe-password`, a.passwordLength),
      );
      this.adminPassword = pulumi.secret(
        this.createPassword(`${name}-redis-admin-password`, a.passwordLength),
      );
    }
    if (a.redisPasswords && a.backupPassword) {
      this.backupPassword = pulumi.secret(
        this.createPassword(`${name}-redis-backup-password`, a.passwordLength),
      );
    }
    if (a.redisPasswords && a.exporterPassword) {
      this.exporterPassword = pulumi.secret(
        this.createPassword(`${name}-redis-exporter-password`, a.passwordLength),
      );
    }
    this.secretKey = pulumi.secret(a.secretKey ?? this.createSecretKey(`${name}-secret-key`));
    this.registerOutputs({
      redisPassword: this.redisPassword,
      probePassword: this.probePassword,
      adminPassword: this.adminPassword,
      backupPassword: this.backupPassword,
      exporterPassword: this.exporterPassword,
      secretKey: this.secretKey,
    });
  }

  /** The second line behind the config schema. */
  private checkArgs(a: ResolvedStackSecretsArgs): void {
    const length = a.passwordLength;
    if (!Number.isInteger(length) || length < 32 || length > 128) {
      throw argError(this, `\`passwordLength\` (${length}) must be a whole number from 32 to 128`);
    }
  }

  private createPassword(name: string, length: number): pulumi.Output<string> {
    return new random.RandomPassword(
      name,
      { length, special: false, minLower: 4, minUpper: 4, minNumeric: 4 },
      { parent: this },
    ).result;
  }

  private createSecretKey(name: string): pulumi.Output<string> {
    return new random.RandomId(name, { byteLength: 32 }, { parent: this }).hex;
  }
}

type ResolvedStackSecretsArgs = StackSecretsArgs &
  Required<Pick<StackSecretsArgs, "passwordLength" | "redisPasswords">>;

/** Every default in one place, with `??` so an explicit `undefined` still gets it. */
export function resolveStackSecretsArgs(args: StackSecretsArgs): ResolvedStackSecretsArgs {
  return {
    ...args,
    passwordLength: args.passwordLength ?? 40,
    redisPasswords: args.redisPasswords ?? true,
  };
}
