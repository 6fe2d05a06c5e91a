/**
 * A bot's commands as XEP-0050 ad-hoc commands: listed under the disco#items node
 * http://jabber.org/protocol/commands (§2.2), executed by an iq set (§3.4). A command without
 * named groups runs at once; one with groups first answers a data form (XEP-0004) with one
 * required text field per group, then runs with the submitted values (§3.5, one stage). The
 * answer is status="completed" with the reply text as a note (§3.4).
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { STANZA_ERRORS } from "../../plugin-api/errors.ts";
import { stanzaError } from "../../kit/stanza-error.ts";
import type { BotConfig, CompiledCommand } from "./compiled.ts";
import { createSessions } from "./adhoc-sessions.ts";

const NS_COMMANDS = "http://jabber.org/protocol/commands";
const NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
const NS_DATA = "jabber:x:data";

export interface AdhocDeps {
  send(stanza: Element): void;
  allowed(from: string): boolean;
  /** Told of an execution refused because the sender is not in allow: (metrics). */
  forbidden(node: string): void;
  /** Runs a command for `sender` (rate limit and concurrency included); resolves to the reply text. */
  execute(sender: string, command: CompiledCommand, match: Record<string, string>): Promise<string>;
}

/** Returns a handler that answers the iq when it is an ad-hoc one (true), else leaves it (false). */
export function adhocCommands(bot: BotConfig, deps: AdhocDeps): (iq: Element) => boolean {
  const sessions = createSessions();
  const result = (iq: Element, ...children: Element[]) =>
    xml("iq", { type: "result", id: iq.attrs.id, to: iq.attrs.from, from: iq.attrs.to }, ...children);
  const list = (iq: Element) => {
    const items = deps.allowed(iq.attrs.from ?? "")
      ? bot.commands.map((c) => xml("item", { jid: iq.attrs.to, node: c.node, name: c.help }))
      : [];
    deps.send(result(iq, xml("query", { xmlns: NS_DISCO_ITEMS, node: NS_COMMANDS }, ...items)));
  };
  const execute = (iq: Element, command: Element) => {
    const sender = iq.attrs.from ?? "";
    if (!deps.allowed(sender)) return (deps.forbidden(command.attrs.node ?? ""), deps.send(stanzaError(iq, STANZA_ERRORS.BOT_FORBIDDEN)));
    const cmd = bot.commands.find((c) => c.node === command.attrs.node);
    if (!cmd) return deps.send(stanzaError(iq, STANZA_ERRORS.ADHOC_NO_COMMAND));
    const action = command.attrs.action ?? "execute";
    const sessionId: string | undefined = command.attrs.sessionid;
    const answer = (status: string, ...children: Element[]) =>
      deps.send(
        result(
          iq,
          xml(
            "command",
            {
              xmlns: NS_COMMANDS,
              node: cmd.node,
              sessionid: sessionId ?? (status === "executing" ? sessions.open(cmd.node, sender) : crypto.randomUUID()),
              status,
            },
            ...children,
          ),
        ),
      );
    if (!["execute", "complete", "next", "prev", "cancel"].includes(action))
      return deps.send(badRequest(iq, "malformed-action", `unknown action "${action}"`));
    if (sessionId !== undefined && !sessions.take(sessionId, cmd.node, sender))
      return deps.send(badRequest(iq, "bad-sessionid", "unknown or expired session"));
    if (action === "cancel") return answer("canceled");
    if (action === "prev") return deps.send(badRequest(iq, "bad-action", "this command has one stage"));
    if (sessionId === undefined && cmd.pattern.groups.length > 0)
      return answer("executing", xml("actions", { execute: "complete" }, xml("complete")), form(cmd));
    const values = sessionId === undefined ? {} : submitted(command);
    const problem = payloadProblem(cmd, values);
    if (problem) return deps.send(badRequest(iq, "bad-payload", problem));
    void deps.execute(sender, cmd, values).then((text) => answer("completed", xml("note", { type: "info" }, text)));
  };
  return function adhocIq(iq) {
    const child = iq.getChildElements()[0];
    if (iq.attrs.type === "get" && child?.name === "query" && child.attrs.xmlns === NS_DISCO_ITEMS && child.attrs.node === NS_COMMANDS)
      list(iq);
    else if (iq.attrs.type === "set" && child?.name === "command" && child.attrs.xmlns === NS_COMMANDS) execute(iq, child);
    else return false;
    return true;
  };
}

/** XEP-0004 form: one required text-single field per named group, in pattern order. */
function form(cmd: CompiledCommand): Element {
  return xml(
    "x",
    { xmlns: NS_DATA, type: "form" },
    xml("title", {}, cmd.help),
    ...cmd.pattern.groups.map((g) => xml("field", { var: g, type: "text-single", label: g }, xml("required"))),
  );
}

function submitted(command: Element): Record<string, string> {
  const x = command.getChild("x", NS_DATA);
  const fields = x?.attrs.type === "submit" ? x.getChildren("field") : [];
  return Object.fromEntries(
    fields
      .filter((f) => typeof f.attrs.var === "string" && f.attrs.var !== "FORM_TYPE")
      .map((f) => [f.attrs.var as string, f.getChildText("value") ?? ""]),
  );
}

/** Missing, extra or unfitting fields, named; undefined when the form fits the pattern's groups. */
function payloadProblem(cmd: CompiledCommand, values: Record<string, string>): string | undefined {
  const groups = cmd.pattern.groups;
  const missing = groups.filter((g) => !(g in values) || values[g] === "");
  if (missing.length) return `missing field${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`;
  const extra = Object.keys(values).filter((k) => !groups.includes(k));
  if (extra.length) return `unknown field${extra.length > 1 ? "s" : ""}: ${extra.join(", ")} (expected: ${groups.join(", ")})`;
  const wrong = groups.filter((g) => !cmd.pattern.fits(g, values[g] ?? ""));
  return wrong.length ? `${wrong.map((g) => `${g} does not fit the command's pattern`).join("; ")}` : undefined;
}

/** XEP-0050 §4.6: bad-request, a sentence, then the specific condition (RFC 6120 §8.3.2 order). */
function badRequest(iq: Element, specific: string, text: string): Element {
  const reply = stanzaError(iq, { ...STANZA_ERRORS.ADHOC_BAD_REQUEST, text });
  reply.getChild("error")?.cnode(xml(specific, { xmlns: NS_COMMANDS }));
  return reply;
}
