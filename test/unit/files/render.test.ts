// `stanzagate render` shows a notification's files (issue 21 §4): a format route's file message
// after its text, said to be a file on stderr; a declarative route's OOB messages after its own.
import { describe, expect, test } from "bun:test";
import { renderOffline } from "../../../src/cli/render-offline.ts";
import { renderCommand } from "../../../src/features/routes/render-cli.ts";
import { loadTestConfig } from "../../helpers/gateway.ts";
import { PNG_1X1 } from "../../helpers/file-store.ts";

const HEAD = `xmpp: { server: "xmpp://127.0.0.1:1", component: gw.localhost, secret: s, host: localhost }
http: { public_url: "https://gw.example.org" }
store: ":memory:"
`;

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, cli: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) } };
}

describe("render with files", () => {
  test("ntfy: the text, then the file's URL, which stderr says is a file shown as itself", async () => {
    const config = loadTestConfig(`${HEAD}routes:\n  - { preset: ntfy, topics: { door: alice@localhost } }\n`);
    const { out, err, cli } = io();
    const request = {
      route: "/door",
      method: "PUT",
      headers: [["Filename", "door.png"]] as Array<[string, string]>,
      query: [],
      pretty: false,
      body: PNG_1X1,
    };
    expect(await renderOffline(config, request, cli)).toBe(0);
    expect(out[0]).toBe("You received a file: door.png");
    expect(out[1]).toMatch(/^https:\/\/gw\.example\.org\/files\/[0-9a-f]{32}\/door\.png$/);
    expect(err).toEqual(["to alice@localhost:", "to alice@localhost, a file (door.png), shown by clients as the file itself:"]);
  });

  test("a declarative route with attach: body prints its message, then the file's with its OOB element", async () => {
    const route = `routes:\n  - path: /camera\n    attach: body\n    send: '<message to="alice@localhost"><body>Motion</body></message>'\n`;
    const { out, cli } = io();
    const request = {
      route: "/camera",
      headers: [["content-type", "image/jpeg"]] as Array<[string, string]>,
      query: [["filename", "cam.jpg"]] as Array<[string, string]>,
      pretty: false,
      body: PNG_1X1,
    };
    expect(await renderCommand(loadTestConfig(HEAD + route), request, cli)).toBe(0);
    expect(out).toHaveLength(2);
    expect(out[0]).toContain("<body>Motion</body>");
    expect(out[1]).toMatch(
      /<x xmlns="jabber:x:oob"><url>https:\/\/gw\.example\.org\/files\/[0-9a-f]{32}\/cam\.png<\/url><desc>cam\.png<\/desc><\/x>/,
    );
  });
});
