/**
 * `correct:` on a declarative route: a later request corrects the message an earlier one sent,
 * instead of sending another (XEP-0308 Last Message Correction), so a room does not fill with
 * stale alerts. `key` (a Liquid expression, e.g. body.groupKey) names the thread; the id of its
 * first message to each recipient is remembered in the store, and each later message of the same
 * thread to that recipient carries `<replace id="first"/>` (XEP-0308 §4: a correction names the
 * original message, not the previous correction), from the sender of the first (§5; see
 * `correctable`). When `last` holds, the message is the thread's
 * final correction and the key is forgotten: the next request starts a new message.
 */
import type { Element } from "ltx";
import type { Template } from "liquidjs";
import { createLiquid } from "../../templates/liquid.ts";
import { compileCondition, type CompiledCondition } from "../../templates/condition.ts";
import { liquidFailure, problemOf, referencesOf, type Reference } from "../../templates/template-check.ts";
import { TemplateError, type RenderOptions } from "../../templates/template.ts";
import type { TemplateScope } from "../../templates/scope.ts";
import { DEFAULT_THREAD_LIMITS, type Remembered, type ThreadLimits } from "../../store/threads.ts";
import { otherSender } from "../../notify/same-sender.ts";

// Where a thread is remembered is the store's (store/threads.ts); the routes name it here too.
export type { Remembered };

const liquid = createLiquid();
const CORRECT_NS = "urn:xmpp:message-correct:0";

export interface CompiledCorrection {
  /** `METHOD /path` of the route: its threads never mix with another route's. */
  readonly namespace: string;
  readonly limits: ThreadLimits;
  readonly references: readonly Reference[];
  /**
   * Adds `<replace/>` where a thread is open; returns what to remember once the stanzas are
   * delivered (it throws when the store cannot be written).
   */
  apply(stanzas: Element[], scope: TemplateScope, memory: Remembered, options?: RenderOptions): Promise<() => Promise<void>>;
}

/** `key` is an expression (body.groupKey); `last` a condition like `when:`; `roots` the names both may read (an MQTT route's). */
export function compileCorrection(
  namespace: string,
  key: string,
  last: string | undefined,
  limits = DEFAULT_THREAD_LIMITS,
  roots?: readonly string[],
): CompiledCorrection {
  const prefix = "{{ ";
  let program: Template[];
  try {
    if (/%\}|\{%|\{\{|\}\}/.test(key)) throw new TemplateError("a key is an expression such as body.groupKey, without {{ }}");
    program = liquid.parse(`${prefix}${key} }}`);
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    const p = problemOf(err);
    throw new TemplateError(p.message, Math.max(0, p.offset - prefix.length));
  }
  const references = referencesOf(liquid, program, `${prefix}${key} }}`, roots).map((r) => ({
    ...r,
    offset: Math.max(0, r.offset - prefix.length),
  }));
  const done: CompiledCondition | undefined = last === undefined ? undefined : compileCondition(last, roots);
  return {
    namespace,
    limits,
    references: [...references, ...(done?.references ?? [])],
    async apply(stanzas, scope, memory, options = {}) {
      let thread: string;
      try {
        thread = liquid.renderSync(program, scope, { strictVariables: options.strict ?? false }) as string;
      } catch (err) {
        throw liquidFailure(err);
      }
      // No key in this payload: nothing to correct, nothing to remember.
      if (thread === "") return async () => undefined;
      const final = done?.test(scope, options) ?? false;
      const commits: Array<() => Promise<void>> = [];
      for (const stanza of stanzas) {
        const to = stanza.attrs.to;
        if (stanza.name !== "message" || typeof to !== "string") continue;
        const slot = JSON.stringify([namespace, thread, to]);
        const first = correctable(await memory.get(slot), stanza.attrs.from);
        if (first !== undefined) stanza.c("replace", { id: first, xmlns: CORRECT_NS });
        if (final) commits.push(() => memory.delete(slot));
        else if (first === undefined) commits.push(() => memory.set(slot, `${stanza.attrs.id} ${stanza.attrs.from ?? ""}`));
      }
      return async () => {
        for (const commit of commits) await commit();
      };
    },
  };
}

/**
 * The id a message from `from` may correct: a thread's first message is remembered as
 * `<id> <from>`, and a correction from another sender is one clients ignore (XEP-0308 §5). With
 * replicas sharing the store, each its own component domain, another replica's message is not
 * ours to correct: undefined, so this one is sent as a new message and the thread follows it.
 * A user's JID (XEP-0356) is the same on every replica. A row of an older version is its id alone.
 */
function correctable(remembered: string | undefined, from: string | undefined): string | undefined {
  if (remembered === undefined) return undefined;
  const [id = remembered, sender] = remembered.split(" ", 2);
  return otherSender(sender, from) === undefined ? id : undefined;
}

/** An in-memory memory, for `stanzagate render` and tests. */
export function memoryRemembered(): Remembered {
  const map = new Map<string, string>();
  return { get: async (k) => map.get(k), set: async (k, v) => void map.set(k, v), delete: async (k) => void map.delete(k) };
}
