/**
 * The `attachments:` section of routes.yaml (issue 21): where the files a route attaches are kept,
 * how large and how many, and for how long. Everything has a default, so that setting
 * `http.public_url` alone turns attachments on (docs/files.md says why each default is what it is).
 */
import { Type, type Static, type TObject, type TProperties } from "@sinclair/typebox";

// config/schema.ts's `Closed`, repeated: that file takes this section, and a cycle would tie them together.
const Closed = <T extends TProperties>(props: T, description: string): TObject<T> =>
  Type.Object(props, { additionalProperties: false, description });

const MB = 1_048_576;

const RateSchema = Closed(
  {
    files: Type.Integer({
      minimum: 1,
      default: 30,
      description: "Files one sender (its auth identity, else its client address) may attach within the window.",
    }),
    window_s: Type.Integer({
      minimum: 1,
      default: 60,
      description: "The window, in seconds; past the limit the sender gets 429 FILES_RATE until it ends.",
    }),
  },
  "Files per sender.",
);

const RemoteSchema = Closed(
  {
    fetch: Type.Boolean({
      default: false,
      description:
        "Fetch a remote URL a sender attaches (ntfy's Attach:, Slack's image_url, Gotify's bigImageUrl) and serve it from here. Off: the URL is passed to the chat as it is, an OOB link the client fetches itself.",
    }),
    allow: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description:
        "CIDR ranges a fetch may reach although they are loopback, link-local, private, CGNAT or multicast (refused by default: server-side request forgery).",
    }),
    max_bytes: Type.Integer({
      minimum: 1,
      default: 15 * MB,
      description: "A remote file larger than this is cut while it streams and refused.",
    }),
    timeout_s: Type.Integer({ minimum: 1, default: 10, description: "The whole fetch, redirects included, must end within this." }),
  },
  "Remote URLs in notifications.",
);

export const AttachmentsSchema = Closed(
  {
    path: Type.String({
      pattern: "^/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$",
      default: "/files",
      description: "Where files are served: GET <path>/<id>/<name>. It must not be a route's path.",
    }),
    max_file_bytes: Type.Integer({
      minimum: 1,
      default: 15 * MB,
      description: "A larger file is refused with 413 FILE_TOO_LARGE, cut while it streams (ntfy's default attachment limit).",
    }),
    quota_bytes: Type.Integer({
      minimum: 1,
      default: 1024 * MB,
      description:
        "All stored files together (identical files counted once); past it a new file is refused with 507 FILES_QUOTA until older ones expire.",
    }),
    expire: Type.String({
      pattern: "^[1-9][0-9]*[smhd]$",
      default: "7d",
      description:
        "How long a file is served after it was sent: a number and s, m, h or d. The default matches Prosody's mod_http_file_share (one week): a link in chat history lives as long as a file a user shares.",
    }),
    rate: Type.Optional(RateSchema),
    upload: Type.Union([Type.Literal("local"), Type.Literal("xep0363")], {
      default: "local",
      description:
        "local: the gateway serves the files at http.public_url. xep0363: the XMPP server's upload service takes them (XEP-0363), where it grants the component a slot.",
    }),
    fallback: Type.Union([Type.Literal("local"), Type.Literal("refuse")], {
      default: "local",
      description:
        "With upload: xep0363, when the server's upload service fails: serve the file locally, or refuse it with 502 UPLOAD_FAILED.",
    }),
    remote: Type.Optional(RemoteSchema),
  },
  "Files and images in notifications (docs/files.md): kept next to the store file (its directory's files/) and served at http.public_url.",
);

export type AttachmentsConfig = Static<typeof AttachmentsSchema> & {
  rate: Static<typeof RateSchema>;
  remote: Static<typeof RemoteSchema>;
};

const UNIT_S = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** `expire` in seconds ("7d" -> 604800); the schema's pattern guarantees the shape. */
export function expireSeconds(expire: string): number {
  const unit = expire.slice(-1) as keyof typeof UNIT_S;
  return Number(expire.slice(0, -1)) * (UNIT_S[unit] ?? 1);
}
