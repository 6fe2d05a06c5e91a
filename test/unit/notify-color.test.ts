// notify/color.ts: the one palette of colour badges, and each format reading its own notation into
// it, so one colour shows the same badge whatever format carried it (formats review, finding 7).
import { describe, expect, test } from "bun:test";
import { notificationOf as discordNotification } from "../../src/features/discord/read.ts";
import { readMessage as slackMessage } from "../../src/features/slack/read.ts";
import { messageCardNotification } from "../../src/features/teams/message-card.ts";
import { colorBadge, parseHexColor } from "../../src/notify/color.ts";

describe("the palette", () => {
  test("hue bands: red, orange, yellow, green, blue, violet, red again from 330°", () => {
    const hues = [0xff0000, 0xff8000, 0xffd000, 0x00c000, 0x0060ff, 0x9000ff, 0xff0080, 0xff0040];
    expect(hues.map(colorBadge)).toEqual(["🔴", "🟠", "🟡", "🟢", "🔵", "🟣", "🟣", "🔴"]);
  });

  test("greys, black, white and near-black have no badge; so has what is not a colour", () => {
    expect([0x808080, 0x95a5a6, 0x000000, 0xffffff, 0x200000, -1, 0x1000000, 1.5].map(colorBadge)).toEqual(Array(8).fill(undefined));
  });

  test("hex notation: #rrggbb, rrggbb and #rgb; nothing else", () => {
    expect(["#ff0080", "FF0080", " #f08 ", "#ff008", "red", 16711808].map(parseHexColor)).toEqual([
      0xff0080,
      0xff0080,
      0xff0088,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe("one colour, one badge in every format", () => {
  const slack = (color: string) => slackMessage({ attachments: [{ color, title: "T", text: "x" }] }).badges?.[0];
  const teams = (themeColor: string) => messageCardNotification({ "@type": "MessageCard", themeColor, title: "T" }).badges?.[0];
  const discord = (color: number) => discordNotification({ embeds: [{ title: "T", color }] }).badges?.[0];

  test("#ff0080 is violet in Slack, Teams and Discord (Slack said red)", () => {
    expect([slack("#ff0080"), teams("FF0080"), discord(0xff0080)]).toEqual(["🟣", "🟣", "🟣"]);
  });

  test("grey is no badge in Slack, Teams and Discord (Discord said white)", () => {
    expect([slack("#95a5a6"), teams("95A5A6"), discord(0x95a5a6)]).toEqual([undefined, undefined, undefined]);
  });
});
