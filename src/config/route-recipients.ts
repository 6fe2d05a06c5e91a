/** `to:` of the routes that deliver notifications (the sender formats): one JID or a list of them. */
import { Type } from "@sinclair/typebox";
import { isJid } from "../kit/jid.ts";
import type { PathSegments } from "./diagnostics.ts";
import type { RouteChecks } from "./feature-shape.ts";

/** The schema of `to:`, the same for every format. */
export const RecipientsSchema = Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
  description: "Who gets the messages: one JID or a list.",
});

/** The recipients, or undefined after saying which entry is not a JID (a missing `to` is the schema's diagnostic). */
export function checkRecipients(raw: unknown, at: PathSegments, c: RouteChecks): string[] | undefined {
  const list = typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw : [];
  const bad = list.findIndex((j) => typeof j !== "string" || !isJid(j));
  if (bad !== -1)
    c.diagnostics.push(
      c.locate.at(typeof raw === "string" ? [...at, "to"] : [...at, "to", bad], `${JSON.stringify(list[bad])} is not a JID`),
    );
  return list.length && bad === -1 ? (list as string[]) : undefined;
}
