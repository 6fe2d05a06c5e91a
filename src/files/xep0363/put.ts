/**
 * The upload itself (XEP-0363 §6): an HTTP PUT of the bytes to the slot's URL with the slot's
 * headers. "The upload service MUST reject the file upload if the Content-Length does not match the
 * size of the slot request", and "SHOULD reject the file if the Content-Type has been specified
 * beforehand and does not match": both are sent as requested. "A HTTP status Code of 201 means that
 * the server is now ready to serve the file via the provided GET URL"; any other 2xx is taken as
 * well (a PUT to a plain web server answers 200 or 204), anything else is a failure.
 */
import type { Slot } from "./slot.ts";

export interface PutFile {
  /** The bytes on disk: streamed from there, never read whole. */
  path: string;
  size: number;
  type: string;
}

/** Resolves once the service has the bytes; throws a sentence with the service's status otherwise. */
export async function putFile(fetcher: typeof fetch, slot: Slot, file: PutFile, timeoutMs: number): Promise<void> {
  const body = Bun.file(file.path);
  const headers = { ...slot.headers, "content-type": file.type, "content-length": String(file.size) };
  let answer: Response;
  try {
    answer = await fetcher(slot.put, { method: "PUT", headers, body, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const reason = err instanceof Error && err.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : String(err);
    throw new Error(`the PUT to the upload slot ${origin(slot.put)} failed: ${reason}`);
  }
  // The body is a few words at most (ejabberd: "Upload successful."); read it to free the connection.
  const said = (await answer.text().catch(() => "")).trim().slice(0, 200);
  if (answer.status < 200 || answer.status > 299)
    throw new Error(`the upload slot ${origin(slot.put)} answered the PUT with ${answer.status}${said ? `: ${said}` : ""}`);
}

/** The scheme, host and port of a slot URL: its path holds the slot's secret. */
function origin(url: string): string {
  return new URL(url).origin;
}
