// The SCRAM-SHA-1 client of the password check, against the example exchange of RFC 5802 §5.
import { expect, test } from "bun:test";
import { ScramSha1 } from "../../../../src/features/auth/xmpp/scram.ts";

test("computes RFC 5802 §5's client messages for user/pencil", async () => {
  const scram = new ScramSha1("fyko+d2lbbFgONRv9qkxdawL");
  const cred = { username: "user", password: "pencil" };
  expect(await scram.response(cred)).toBe("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
  scram.challenge("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096");
  expect(await scram.response(cred)).toBe("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
});

test("refuses a server nonce that does not extend its own (RFC 5802 §5.1)", async () => {
  const scram = new ScramSha1("abc");
  await scram.response({ username: "user", password: "pencil" });
  scram.challenge("r=zzz,s=QSXCR+Q6sek8bf92,i=4096");
  await expect(scram.response({ username: "user", password: "pencil" })).rejects.toThrow("malformed");
});

test("escapes = and , in the user name (RFC 5802 §5.1)", async () => {
  expect(await new ScramSha1("n").response({ username: "a=b,c", password: "" })).toBe("n,,n=a=3Db=2Cc,r=n");
});
