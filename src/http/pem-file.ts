import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";

/** Far above any certificate chain or key; a file this big is not one (say, /dev/zero). */
const MAX_PEM_BYTES = 1024 * 1024;

/**
 * Reads a certificate or key file named in routes.yaml. A FIFO or a device would block the open
 * or never end, freezing the gateway at a reload, so the file is opened without blocking and must
 * be a regular file of a sane size before a byte is read.
 */
export function readPemFile(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error("not a regular file");
    if (stat.size > MAX_PEM_BYTES) throw new Error(`${stat.size} bytes, more than a PEM file holds (at most ${MAX_PEM_BYTES})`);
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The certificates of a chain file, in order: the server's own first (RFC 8446 §4.4.2). */
export function certificateBlocks(pem: string): string[] {
  return pem.match(CERTIFICATE) ?? [pem];
}
