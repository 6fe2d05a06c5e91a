/**
 * The legacy Office 365 connector's MessageCard (learn.microsoft.com, "Legacy actionable message
 * card reference") as a notification: `title` (else `summary`), `text`, each section's activity
 * lines, text, facts and images, and `potentialAction` OpenUri / ViewAction links. `themeColor`
 * is the badge. Alertmanager 0.26+ writes `type` where the reference says `@type`: both count.
 */
import { isRecord, textIn } from "../../kit/bounded.ts";
import { colorBadge, parseHexColor } from "../../notify/color.ts";
import type { Notification } from "../../notify/notification.ts";
import { plainMarkdown, plainMarkdownTitle } from "../../notify/markdown.ts";

type Json = Record<string, unknown>;

const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isRecord) : []);

export const isMessageCard = (card: Json) => card["@type"] === "MessageCard" || card.type === "MessageCard";

export function messageCardNotification(card: Json): Notification {
  const title = plainMarkdownTitle(textIn(card.title) || textIn(card.summary)).trim();
  const lines: string[] = [];
  const fields: Array<{ name: string; value: string }> = [];
  const links: Array<{ url: string; label?: string | undefined }> = [];
  const add = (text: unknown) => {
    const plain = plainMarkdown(textIn(text)).trim();
    // A section often repeats the summary the title already shows (Uptime Kuma's does).
    if (plain !== "" && plainMarkdownTitle(textIn(text)).trim() !== title) lines.push(plain);
  };
  add(card.text);
  for (const s of objects(card.sections)) {
    for (const key of ["activityTitle", "activitySubtitle", "activityText", "title", "text"]) add(s[key]);
    for (const f of objects(s.facts)) fields.push({ name: plainMarkdownTitle(textIn(f.name)), value: plainMarkdown(textIn(f.value)) });
    for (const i of objects(s.images)) if (textIn(i.image)) links.push({ url: textIn(i.image), label: textIn(i.title) || undefined });
    links.push(...actionLinks(s.potentialAction));
  }
  links.push(...actionLinks(card.potentialAction));
  const rgb = parseHexColor(card.themeColor);
  const badge = rgb === undefined ? undefined : colorBadge(rgb);
  return { title, text: lines.join("\n"), badges: badge && !title.includes(badge) ? [badge] : [], fields, links };
}

/** OpenUri's `targets[].uri` (the `default` OS first) and the older ViewAction's `target[]`. */
function actionLinks(actions: unknown): Array<{ url: string; label?: string | undefined }> {
  return objects(actions).flatMap((a) => {
    const targets = objects(a.targets);
    const uri = textIn((targets.find((t) => t.os === "default") ?? targets[0])?.uri) || textIn(Array.isArray(a.target) ? a.target[0] : "");
    return uri ? [{ url: uri, label: textIn(a.name) || undefined }] : [];
  });
}
