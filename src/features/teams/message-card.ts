/**
 * The legacy Office 365 connector's MessageCard (learn.microsoft.com, "Legacy actionable message
 * card reference") as a notification: `title` (else `summary`), `text`, each section's activity
 * lines, text, facts and images, and `potentialAction` OpenUri / ViewAction links. `themeColor`
 * is the badge. Alertmanager 0.26+ writes `type` where the reference says `@type`: both count.
 */
import type { Notification } from "../../notify/notification.ts";
import { plainMarkdown, plainMarkdownTitle } from "../../notify/markdown.ts";
import { hexColorBadge } from "./color.ts";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

export const isMessageCard = (card: Json) => card["@type"] === "MessageCard" || card.type === "MessageCard";

export function messageCardNotification(card: Json): Notification {
  const title = plainMarkdownTitle(str(card.title) || str(card.summary)).trim();
  const lines: string[] = [];
  const fields: Array<{ name: string; value: string }> = [];
  const links: Array<{ url: string; label?: string | undefined }> = [];
  const add = (text: unknown) => {
    const plain = plainMarkdown(str(text)).trim();
    // A section often repeats the summary the title already shows (Uptime Kuma's does).
    if (plain !== "" && plainMarkdownTitle(str(text)).trim() !== title) lines.push(plain);
  };
  add(card.text);
  for (const s of objects(card.sections)) {
    for (const key of ["activityTitle", "activitySubtitle", "activityText", "title", "text"]) add(s[key]);
    for (const f of objects(s.facts)) fields.push({ name: plainMarkdownTitle(str(f.name)), value: plainMarkdown(str(f.value)) });
    for (const i of objects(s.images)) if (str(i.image)) links.push({ url: str(i.image), label: str(i.title) || undefined });
    links.push(...actionLinks(s.potentialAction));
  }
  links.push(...actionLinks(card.potentialAction));
  const badge = hexColorBadge(card.themeColor);
  return { title, text: lines.join("\n"), badges: badge && !title.includes(badge) ? [badge] : [], fields, links };
}

/** OpenUri's `targets[].uri` (the `default` OS first) and the older ViewAction's `target[]`. */
function actionLinks(actions: unknown): Array<{ url: string; label?: string | undefined }> {
  return objects(actions).flatMap((a) => {
    const targets = objects(a.targets);
    const uri = str((targets.find((t) => t.os === "default") ?? targets[0])?.uri) || str(Array.isArray(a.target) ? a.target[0] : "");
    return uri ? [{ url: uri, label: str(a.name) || undefined }] : [];
  });
}
