import type { CompiledTemplate } from "../../templates/template.ts";
import type { CompiledCondition } from "../../templates/condition.ts";
import type { BodyValidator } from "./body-spec.ts";
import type { CompiledRespond } from "./respond.ts";
import type { CompiledCorrection } from "./correct.ts";
import type { CompiledPublish } from "./publish.ts";

/** A declarative route, checked and compiled once at load (check.ts). */
export interface DeclarativeRouteConfig {
  kind: "declarative";
  at: string;
  name: string;
  method: "POST" | "PUT" | "GET";
  path: string;
  auth: string | undefined;
  /** Undefined when the route declares no `body:` or `body: any`. */
  body: BodyValidator | undefined;
  /** `send:`, one or several; each renders zero, one or many stanzas. */
  templates: readonly CompiledTemplate[];
  when: CompiledCondition | undefined;
  strict: boolean;
  maxStanzas: number;
  /** `send:` is an iq get/set: the route answers its reply (iq-route.ts). */
  iq: boolean;
  /** iq routes: how long to wait for the answer (undefined: xmpp.iq_timeout_ms). */
  timeoutMs: number | undefined;
  /** iq routes: the JSON answered on success. */
  respond: CompiledRespond | undefined;
  /** `correct:`: later messages of a thread correct its first one (correct.ts). */
  correct: CompiledCorrection | undefined;
  /** Groupchat: the nick and room passwords (XEP-0045 §7.2, §7.2.6). */
  rooms: { nick: string | undefined; password(room: string): string | undefined };
  /** `publish:` instead of `send:`: the request publishes to MQTT (publish.ts); `templates` is then empty. */
  publish?: CompiledPublish | undefined;
  /** `attach:`: the multipart fields (and `body`, the raw body) whose files are sent after the messages (attach.ts). */
  attach?: readonly string[] | undefined;
}
