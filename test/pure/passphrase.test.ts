import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { encryptValue, loadStackConfig, makeEncryptionSalt, passphraseDecrypter } from "../../gate";

describe("passphrase-encrypted stack files", () => {
  const { salt, key } = makeEncryptionSalt("correct horse");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "api-stack-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: api-stack\nruntime: nodejs\n");
  fs.writeFileSync(
    path.join(dir, "Pulumi.demo.yaml"),
    stringify({
      encryptionsalt: salt,
      config: {
        "api-stack:environment": "development",
        "api-stack:redisPassword": { secure: encryptValue(key, "s3cret-value") },
        "api-stack:secretEnv": { NOVITA_API_KEY: { secure: encryptValue(key, "sk-live") } },
      },
    }),
  );

  it("decrypts secure values with the passphrase and marks them secret", () => {
    const cfg = loadStackConfig("demo", { dir, passphrase: "correct horse" });
    expect(cfg.values["api-stack:redisPassword"]).toBe("s3cret-value");
    expect(JSON.parse(cfg.values["api-stack:secretEnv"] as string)).toEqual({
      NOVITA_API_KEY: "sk-live",
    });
    expect(cfg.secretKeys.sort()).toEqual(["api-stack:redisPassword", "api-stack:secretEnv"]);
    expect(cfg.encryptedKeys).toEqual([]);
  });

  it("without a passphrase, leaves them out and says which", () => {
    const cfg = loadStackConfig("demo", { dir });
    expect(cfg.values["api-stack:redisPassword"]).toBeUndefined();
    expect(cfg.encryptedKeys.sort()).toEqual(["api-stack:redisPassword", "api-stack:secretEnv"]);
  });

  it("refuses a wrong passphrase", () => {
    expect(() => passphraseDecrypter(salt, "wrong")).toThrow(/incorrect passphrase/);
  });
});
