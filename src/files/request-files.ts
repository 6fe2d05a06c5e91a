/**
 * One request's files (review of issue 21): what a request stored is forgotten when it is
 * refused, so a refused request leaves nothing behind, neither counted against the quota nor kept
 * until it expires (Discord's eleventh file refuses the ten before it, a file too large the one
 * before it, a field the route refuses the file sent before the field). Every format and the
 * declarative routes run a request that may store files through it.
 */
import { GatewayError } from "../plugin-api/errors.ts";
import type { FilesPort, StoredFile } from "./types.ts";

/**
 * Runs `handle` with a port that notes what it stores; when `handle` throws, those files are
 * forgotten. A refusal saying some messages went already (the declarative routes' `delivered`)
 * keeps them: those messages link to them.
 */
export async function withRequestFiles<T>(files: FilesPort | undefined, handle: (files: FilesPort | undefined) => Promise<T>): Promise<T> {
  if (!files) return handle(undefined);
  const stored: StoredFile[] = [];
  const noting: FilesPort = {
    async put(file, sender) {
      const one = await files.put(file, sender);
      stored.push(one);
      return one;
    },
    async remote(url, sender, name) {
      const attachment = await files.remote(url, sender, name);
      if (attachment.kind === "file") stored.push(attachment.file);
      return attachment;
    },
    forget: (some) => files.forget(some),
  };
  try {
    return await handle(noting);
  } catch (err) {
    if (!(err instanceof GatewayError && err.details.delivered)) await files.forget(stored);
    throw err;
  }
}
