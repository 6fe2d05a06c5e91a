// The parts of the discord format on their own: Discord's markup as XEP-0393 text, embed colors as
// severity emojis, and Discord's checks of a payload, each problem at its field's path (multipart
// bodies as Grafana and curl write them: test/unit/multipart.test.ts).
import { describe, expect, test } from "bun:test";
import { plainText, timestampText } from "../../../../src/features/discord/markup.ts";
import { embedImages, notificationOf } from "../../../../src/features/discord/read.ts";
import { checkPayload } from "../../../../src/features/discord/payload.ts";

describe("Discord's markup as plain text", () => {
  test("bold, headings, underline, strike and masked links", () => {
    expect(plainText("# Deploy\n**done** __now__ ~~late~~ see [log](https://ci/1) or [https://x/](https://x/)")).toBe(
      "*Deploy*\n*done* _now_ ~late~ see log (https://ci/1) or https://x/",
    );
  });

  test("timestamps: <t:…> as a UTC date (since it, for the relative style), and Uptime Kuma's zoneless time as UTC", () => {
    expect(plainText("<t:1796605323:F> / <t:1796605323:R> / <t:1796605323>")).toBe(
      "2026-12-07 01:02:03 UTC / since 2026-12-07 01:02:03 UTC / 2026-12-07 01:02:03 UTC",
    );
    expect(timestampText("2026-12-07 01:02:03.456")).toBe("2026-12-07 01:02:03 UTC");
    expect(timestampText("2026-12-07T02:02:03+01:00")).toBe("2026-12-07 01:02:03 UTC");
    expect(timestampText("yesterday")).toBeUndefined();
  });
});

describe("colors as severity", () => {
  test("Alertmanager's, Grafana's and Uptime Kuma's colors (notify/color.ts); greys and 0 have none", () => {
    expect(
      [0x992d22, 0x2ecc71, 0x95a5a6, 0xd63232, 0x36a64f, 0xff0000, 0x00ff00, 0xffa500, 0xffff00, 0x3498db, 0x9b59b6, 0].map(
        (color) => notificationOf({ embeds: [{ title: "t", color }] }).badges?.[0],
      ),
    ).toEqual(["🔴", "🟢", undefined, "🔴", "🟢", "🔴", "🟢", "🟠", "🟡", "🔵", "🟣", undefined]);
  });
});

describe("a payload as a notification", () => {
  test("author, description, footer with timestamp, fields and links of each embed", () => {
    const checked = checkPayload({
      content: "deploy",
      embeds: [
        {
          title: "v2",
          url: "https://ci/2",
          author: { name: "ci", url: "https://ci/" },
          description: "all green",
          footer: { text: "CI" },
          timestamp: "2026-12-07T01:02:03Z",
          fields: [{ name: "took", value: 42 }],
          thumbnail: { url: "https://ci/t.png" },
        },
        { title: "logs", image: { url: "attachment://log.txt" } },
      ],
    });
    if (!("message" in checked)) throw new Error(JSON.stringify(checked));
    const log = { kind: "link", url: "https://gw.example/files/0f/log.txt", name: "log.txt" } as const;
    expect(notificationOf(checked.message, [log])).toEqual({
      title: "v2",
      text: "deploy\nci\nall green\nCI • 2026-12-07 01:02:03 UTC\nlogs",
      badges: undefined,
      fields: [{ name: "took", value: "42" }],
      links: [{ url: "https://ci/2" }, { url: "https://ci/", label: "ci" }],
      attachments: [log],
    });
    // The thumbnail is a picture to show; attachment://log.txt is the request's own file, already attached.
    expect(embedImages(checked.message)).toEqual([{ url: "https://ci/t.png" }]);
  });

  test("every problem at its path; null is not given", () => {
    expect(checkPayload({ content: null, username: "", embeds: [{ color: -1, footer: {} }], tts: true })).toEqual({
      problems: [
        { path: ["username"], code: "BASE_TYPE_BAD_LENGTH", message: "Must be between 1 and 80 in length." },
        { path: ["embeds", 0, "color"], code: "NUMBER_TYPE_MAX", message: "Must be an integer from 0 to 16777215." },
      ],
    });
    expect(checkPayload({ embeds: [{ description: "d".repeat(4000) }, { description: "d".repeat(2001) }] })).toMatchObject({
      problems: [{ path: ["embeds"], code: "MAX_EMBED_SIZE_EXCEEDED" }],
    });
  });
});
