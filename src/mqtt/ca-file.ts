/**
 * mqtt.ca_file, read as the connection will use it: a PEM file of one or more CA certificates.
 * Node's TLS throws "Invalid CA" from inside mqtt.js's dial when the file holds anything else,
 * naming neither the key nor the file: reading it here first says which file and why, for `check`
 * (file:line:col), for `serve` at start and for /health's last_error at a reconnect.
 */
import { X509Certificate } from "node:crypto";
import { certificateBlocks, readPemFile } from "../http/pem-file.ts";

/** The file's text once every certificate in it parses; otherwise throws an Error saying why. */
export function readCaFile(file: string): string {
  const problem = caFileProblem(file);
  if (typeof problem === "string") throw new Error(`mqtt.ca_file ${file}: ${problem}`);
  return problem.pem;
}

/** Why `file` cannot serve as the CAs to trust, or its text. */
export function caFileProblem(file: string): string | { pem: string } {
  let pem: string;
  try {
    pem = readPemFile(file);
  } catch (err) {
    return `cannot read it: ${(err as Error).message}`;
  }
  const blocks = certificateBlocks(pem).filter((block) => block.startsWith("-----BEGIN CERTIFICATE-----"));
  if (blocks.length === 0) return "no PEM certificate in it (expected -----BEGIN CERTIFICATE----- blocks)";
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (err) {
      return `certificate ${i + 1} does not parse: ${(err as Error).message}`;
    }
  }
  return { pem };
}
