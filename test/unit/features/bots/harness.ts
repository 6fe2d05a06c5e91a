// One bot of a routes.yaml, its handler driven in-process: stanzas in, the stanzas it sends out;
// its HTTP calls go to a fake fetch. No socket.
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import { botHandler } from "../../../../src/features/bots/bot.ts";
import { createLogger } from "../../../../src/log.ts";
import { createMetrics } from "../../../../src/metrics.ts";
import { loadTestConfig } from "../../../helpers/gateway.ts";
import { FAKE_HEAD } from "../../../helpers/fake-gateway.ts";
import { waitFor } from "../../../../testbed/timeouts.ts";
import type { FilesPort } from "../../../../src/files/types.ts";

const BOT = `
bots:
  - jid: house@gateway.localhost
    allow: ALLOW
    rate_limit: { commands: 3, window_s: 60 }
    max_input_chars: 50
    commands:
      - match: '^temp (?<room>\\w+)$'
        http: { url: "http://127.0.0.1:8081/sensors/{{ match.room }}?who={{ sender }}", timeout_ms: 200 }
        reply: "{{ match.room }}: {{ http.json.celsius }} °C"
      - match: '^ping$'
        reply: pong
      - match: '^where (?<q>.+)$'
        http: { url: "http://127.0.0.1:8081/find/{{ match.q }}" }
        reply: "{{ http.text }}"
        error: "no luck: {{ error }}"
    unknown: "I know: {{ commands }}"
`;

export type Fetcher = (url: string, init: RequestInit) => Promise<Response>;

/** `allow` fills the bot's allow: list; `bots` replaces the bot above (a `bots:` section of routes.yaml); `files` is the file store. */
export function harness(
  fetcher: Fetcher = async () => Response.json({ celsius: 21.5 }),
  allow = ["*@localhost"],
  bots = BOT,
  files?: FilesPort,
) {
  const config = loadTestConfig(FAKE_HEAD + bots.replace("ALLOW", JSON.stringify(allow)));
  const sent: Element[] = [];
  const calls: string[] = [];
  const fetch = ((url: string, init: RequestInit) => (calls.push(url), fetcher(url, init))) as unknown as typeof globalThis.fetch;
  const bot = config.bots[0];
  if (!bot) throw new Error("no bot");
  const metrics = createMetrics({
    outbox: () => ({ depth: 0, oldestQueuedAt: undefined }),
    link: () => ({ state: "offline", onlineSince: undefined }),
  });
  const handle = botHandler(bot, {
    send: async (el) => void sent.push(el),
    fetch,
    log: createLogger({ level: "error", write: () => {} }),
    metrics,
    files,
  });
  const say = async (body: string, from = "bob@localhost/phone", extra: Element[] = []) => {
    const before = sent.length;
    handle(xml("message", { from, to: "house@gateway.localhost", type: "chat", id: "m1" }, xml("body", {}, body), ...extra));
    await waitFor(() => sent.length > before, 1_000, `the bot's answer to "${body}"`, undefined, 5);
    return sent.at(-1);
  };
  /**
   * Sends an XEP-0199 ping after what was handled and waits for its result: every message before
   * it has been read, and every answer it made is sent. Resolves to how many other stanzas were
   * sent since `since` (an index into `sent`).
   */
  const barrier = async (since: number) => {
    handle(
      xml(
        "iq",
        { from: "bob@localhost/phone", to: "house@gateway.localhost", type: "get", id: "barrier" },
        xml("ping", { xmlns: "urn:xmpp:ping" }),
      ),
    );
    await new Promise<void>((resolve) => setImmediate(resolve));
    return sent.slice(since).filter((s) => s.attrs.id !== "barrier").length;
  };
  return { sent, calls, say, handle, barrier, scrape: () => metrics.render() };
}

/** Waits (bounded) until the handler has sent `count` stanzas. */
export async function sentCount(sent: Element[], count: number): Promise<Element | undefined> {
  await waitFor(() => sent.length >= count, 1_000, `${count} stanzas from the bot`, undefined, 5);
  return sent[count - 1];
}
