/**
 * One command run: the HTTP call (when the command has one), the MQTT publish (publish.ts, when it
 * has `mqtt:`), then the reply text, and with `attach: true` the file the call fetched. A failure is a line for the sender (the `error:`
 * template or a default sentence), never silence.
 */
import type { Element } from "ltx";
import { Drop } from "liquidjs";
import { GatewayError } from "../../plugin-api/errors.ts";
import type { BotCommandOutcome } from "../../metrics.ts";
import { callHttp, callHttpFile, HttpCallError, type HttpAnswer, type HttpObserver } from "./http-call.ts";
import type { Attachment, FilesPort, IncomingFile } from "../../files/types.ts";
import type { CompiledCommand, CompiledHttp } from "./compiled.ts";
import type { Mqtt } from "../../mqtt/types.ts";
import { publish, PublishError, type Published } from "./publish.ts";

export type CommandInput = {
  match: Record<string, string>;
  sender: string;
  body: string;
};

/** The reply (text, or a `<message>` to address), and the messages `send:` makes. */
export interface Outcome {
  reply: string | Element;
  send: Element[];
  /** The file the HTTP call fetched (`attach: true`): a message of its own after the reply. */
  attachments?: Attachment[];
  /** What metrics count (metrics.ts BotCommandOutcome); "ok" when unset. */
  outcome?: BotCommandOutcome;
}

export async function runCommand(
  command: CompiledCommand,
  input: CommandInput,
  fetcher: typeof fetch,
  observe?: HttpObserver,
  /** The file store, for `attach: true` (undefined when attachments are off: check refuses such a command). */
  files?: FilesPort,
  /** The broker, for `mqtt:` (undefined without the mqtt: section: check refuses such a command). */
  mqtt?: Pick<Mqtt, "publish">,
): Promise<Outcome> {
  let http: HttpAnswer | undefined;
  let published: Published | undefined;
  let attachments: Attachment[] = [];
  try {
    if (command.http && command.attach) {
      const keep = files ? (f: IncomingFile) => files.put(f, `xmpp:${input.sender}`) : undefined;
      if (!keep) throw new HttpCallError("this gateway does not take files (set http.public_url)");
      const fetched = await callHttpFile(fetcher, renderRequest(command.http, input), keep, observe);
      http = fetched.answer;
      attachments = [{ kind: "file", file: fetched.file }];
    } else if (command.http) http = await callHttp(fetcher, renderRequest(command.http, input), observe);
    const answered = { ...input, http: http && { ...http, json: http.json ?? new NotJson() } };
    if (command.mqtt) published = await publish(command.mqtt, answered, mqtt);
    const scope = { ...answered, mqtt: published };
    // Everything is built before anything is sent: a template failing halfway sends nothing.
    return { reply: command.reply.render(scope), send: command.send.map((s) => s.render(scope)), attachments };
  } catch (err) {
    return {
      reply: failureLine(command, input, err, http),
      send: [],
      outcome: err instanceof HttpCallError ? "http_error" : err instanceof PublishError ? "mqtt_error" : "reply_error",
    };
  }
}

function failureLine(command: CompiledCommand, input: CommandInput, err: unknown, http: HttpAnswer | undefined): string {
  const error = reason(err);
  const answer = err instanceof HttpCallError ? err.answer : http;
  if (!command.error) return `Sorry, "${command.pattern.usage}" failed: ${error}.`;
  try {
    return command.error.render({ ...input, http: answer, mqtt: err instanceof PublishError ? { topic: err.topic } : undefined, error });
  } catch (again) {
    return `Sorry, "${command.pattern.usage}" failed: ${error} (and the error: template failed: ${reason(again)}).`;
  }
}

/**
 * `http.json` when the answer is not JSON (an HTML error page, plain text): empty and false as a
 * whole (`{% if http.json %}`, `| default`), but reading a field of it fails the command, so a
 * reply such as "{{ http.json.celsius }} °C" becomes the error: line instead of " °C".
 */
class NotJson extends Drop {
  override liquidMethodMissing(key: unknown): never {
    throw new GatewayError("PAYLOAD_MISMATCH", `the service's answer is not JSON, and the reply reads http.json.${String(key)}`);
  }
  override valueOf(): undefined {
    return undefined;
  }
}

export function renderRequest(http: CompiledHttp, input: Record<string, unknown>) {
  return {
    method: http.method,
    url: http.url.render(input),
    headers: Object.fromEntries(http.headers.map(([name, t]) => [name, t.render(input)])),
    body: http.body?.render(input),
    timeoutMs: http.timeoutMs,
    maxBytes: http.maxBytes,
  };
}

export function reason(err: unknown): string {
  if (err instanceof HttpCallError || err instanceof PublishError) return err.message;
  if (err instanceof GatewayError) return `the reply could not be built (${err.message})`;
  return err instanceof Error ? err.message : String(err);
}
