/** The two shapes of a routes[] item: a built-in plugin, or a declarative endpoint. */
import { Type, type Static } from "@sinclair/typebox";
import { Closed } from "./schema.ts";

const Path = Type.String({ pattern: "^/", description: "The HTTP path; `:name` segments become params.name." });
const AuthRef = Type.String({ description: "The name of an auth scheme from `auth:`." });

export const PluginRouteSchema = Closed({
  plugin: Type.String({ description: "A built-in plugin's name." }),
  path: Type.Optional(Path),
  auth: Type.Optional(AuthRef),
  options: Type.Optional(Type.Unknown({ description: "The plugin's options (see its README)." })),
});

export const FieldTypeSchema = Type.Union(
  [Type.Literal("string"), Type.Literal("number"), Type.Literal("integer"), Type.Literal("boolean"), Type.Literal("jid")],
  { description: "The field's type; `jid` is a string that must be a valid JID." },
);

export const FieldSchema = Closed({
  type: FieldTypeSchema,
  required: Type.Optional(Type.Boolean({ description: "Default true." })),
  max_length: Type.Optional(Type.Integer({ minimum: 0, description: "Longest string accepted." })),
  pattern: Type.Optional(Type.String({ description: "A regular expression the string must match." })),
  enum: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: "The only values accepted." })),
  default: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean()], { description: "Used when the field is absent (the field is then optional)." })),
});

export const DeclarativeRouteSchema = Closed({
  name: Type.Optional(Type.String({ description: "Shown in logs; defaults to METHOD path." })),
  path: Path,
  method: Type.Union([Type.Literal("POST"), Type.Literal("PUT"), Type.Literal("GET")], { default: "POST", description: "The HTTP method served; GET routes read no body." }),
  auth: Type.Optional(AuthRef),
  body: Type.Optional(
    Type.Record(Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$" }), Type.Union([FieldTypeSchema, Type.String({ pattern: "\\?$" }), FieldSchema]), {
      description: "Accepted body fields: `name: type`, `name: type?` (optional) or `name: { type, required, max_length, pattern, enum, default }`.",
    }),
  ),
  send: Type.String({ minLength: 1, description: "The stanza template: XML with {{ expr }} placeholders." }),
  timeout_ms: Type.Optional(Type.Integer({ minimum: 100, description: "iq routes (`send:` an <iq type=\"get|set\">): how long to wait for the answer before 504 XMPP_TIMEOUT (default xmpp.iq_timeout_ms)." })),
  respond: Type.Optional(Type.Unknown({ description: "iq routes: the JSON answered on success, written in the shape wanted; strings hold {{ reply.x }} placeholders reading the answer stanza (see \"iq round trips\")." })),
});

export type PluginRoute = Static<typeof PluginRouteSchema>;
export type DeclarativeRoute = Static<typeof DeclarativeRouteSchema>;
export type FieldSpec = Static<typeof FieldSchema>;
