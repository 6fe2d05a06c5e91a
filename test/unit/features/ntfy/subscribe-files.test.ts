// A file published to a ntfy topic reaches its subscribers as ntfy's `attachment` object, the one
// the publisher was answered (issue 21 and 22 together).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { fakeGateway, type FakeGateway } from "../../../helpers/fake-gateway.ts";
import { PNG_1X1 } from "../../../helpers/file-store.ts";

const ROUTES = `
http:
  public_url: https://gw.example.org
routes:
  - preset: ntfy
    topics:
      door: alice@localhost
    subscribe: {}
`;

let gw: FakeGateway;
beforeAll(async () => void (gw = await fakeGateway(ROUTES)));
afterAll(() => gw.stop());

test("a subscriber polls the file's message with its name, type, size and URL", async () => {
  const published = (await (await gw.request("/door", { method: "PUT", body: PNG_1X1, headers: { Filename: "door.png" } })).json()) as {
    id: string;
    attachment: Record<string, unknown>;
  };
  const polled = (await (await gw.request("/door/json?poll=1")).text())
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(polled).toHaveLength(1);
  expect(polled[0]).toMatchObject({ id: published.id, event: "message", message: "You received a file: door.png" });
  expect(polled[0]?.attachment).toEqual(published.attachment);
  expect(published.attachment).toMatchObject({ name: "door.png", type: "image/png", size: PNG_1X1.length });
});
