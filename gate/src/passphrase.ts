/**
 * Decrypts `secure:` values in a stack file the way Pulumi's passphrase secrets provider
 * does (pulumi/pulumi sdk/go/common/resource/config/crypt.go and pkg/secrets/passphrase):
 * - the stack file's `encryptionsalt` is `v1:<salt b64>:<a check value>`;
 * - the key is PBKDF2-SHA256(passphrase, salt, 1,000,000 rounds, 32 bytes);
 * - each value is `v1:<nonce b64>:<AES-256-GCM ciphertext with its 16-byte tag, b64>`;
 * - the check value is "pulumi" encrypted with that key, so a wrong passphrase is caught.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from "node:crypto";

const ROUNDS = 1_000_000;
const TAG_BYTES = 16;

export function keyFromPassphrase(passphrase: string, salt: Buffer): Buffer {
  return pbkdf2Sync(passphrase, salt, ROUNDS, 32, "sha256");
}

export function decryptValue(key: Buffer, value: string): string {
  const parts = value.split(":");
  if (parts.length !== 3 || parts[0] !== "v1") throw new Error("not a v1 secure value");
  const nonce = Buffer.from(parts[1] as string, "base64");
  const sealed = Buffer.from(parts[2] as string, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, nonce);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
    decipher.final(),
  ]).toString("utf8");
}

/** `plaintext` sealed with `key` as a `v1:` value, as `pulumi config set --secret` stores it. */
export function encryptValue(key: Buffer, plaintext: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  const sealed = Buffer.concat([
    cipher.update(plaintext, "utf8"),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return `v1:${nonce.toString("base64")}:${sealed.toString("base64")}`;
}

/** Returns a decrypter for one stack file, or throws if the passphrase is wrong. */
export function passphraseDecrypter(
  encryptionSalt: string,
  passphrase: string,
): (ciphertext: string) => string {
  const [version, salt, ...check] = encryptionSalt.split(":");
  if (version !== "v1" || !salt || check.length !== 3)
    throw new Error("unrecognised encryptionsalt in the stack file");
  const key = keyFromPassphrase(passphrase, Buffer.from(salt, "base64"));
  let ok = false;
  try {
    ok = decryptValue(key, check.join(":")) === "pulumi";
  } catch {
    ok = false;
  }
  if (!ok)
    throw new Error(
      "incorrect passphrase: PULUMI_CONFIG_PASSPHRASE does not decrypt this stack's secrets",
    );
  return (ciphertext) => decryptValue(key, ciphertext);
}

/** Makes an `encryptionsalt` for a passphrase, as `pulumi stack init` does (used by tests). */
export function makeEncryptionSalt(passphrase: string): { salt: string; key: Buffer } {
  const salt = randomBytes(8);
  const key = keyFromPassphrase(passphrase, salt);
  return { salt: `v1:${salt.toString("base64")}:${encryptValue(key, "pulumi")}`, key };
}
