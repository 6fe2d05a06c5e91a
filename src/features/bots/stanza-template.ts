/**
 * A bot's `<message>` templates (a `reply:` starting with `<message`, and `send:` items): the
 * stanza templates of declarative routes (templates/template.ts: the XML is parsed before anything
 * renders, so a value is only ever text, and to=/from= must render to valid JIDs), reading a
 * bot's names instead of a request's. `{ to, text }` items are the short form of the same.
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { compileTemplate, TemplateError, type CompiledTemplate, type TemplateScope } from "../../templates/template.ts";
import { BotTemplateError, type TextTemplate } from "./text-template.ts";

export interface StanzaTemplate {
  /** One `<message>` from the bot (`from` and `id` filled in when the template leaves them out). */
  render(scope: Record<string, unknown>): Element;
}

export function isMessageTemplate(source: string): boolean {
  return /^\s*<message[\s>/]/.test(source);
}

/** Throws BotTemplateError naming every problem. */
export function compileMessage(source: string, roots: readonly string[], from: string): StanzaTemplate {
  if (!isMessageTemplate(source)) throw new BotTemplateError([{ message: "a stanza template must be one <message> element", offset: 0 }]);
  let template: CompiledTemplate;
  try {
    template = compileTemplate(source, roots);
  } catch (err) {
    if (err instanceof TemplateError) throw new BotTemplateError([...err.problems]);
    throw err;
  }
  return {
    render(scope) {
      // The scope's names are the bot's, not a request's: the same checks apply to them.
      const el = template.render(scope as TemplateScope);
      el.attrs.from ??= from;
      el.attrs.id ??= `bot-${crypto.randomUUID()}`;
      return el;
    },
  };
}

/** `{ to, text }`: a chat message from the bot to a literal JID. */
export function compileNotice(to: string, text: TextTemplate, from: string): StanzaTemplate {
  return {
    render: (scope) => xml("message", { to, from, type: "chat", id: `bot-${crypto.randomUUID()}` }, xml("body", {}, text.render(scope))),
  };
}
