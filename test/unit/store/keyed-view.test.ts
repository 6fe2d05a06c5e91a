// A plugin's keyed values in memory against other replicas' writes (store/keyed-view.ts): the
// write with the larger rev stays, whichever arrives last; a write of this replica not yet
// answered holds the others back until its rev says which came last.
import { describe, expect, test } from "bun:test";
import { keyedView, type Values } from "../../../src/store/keyed-view.ts";

function view() {
  const values: Values = new Map();
  const v = keyedView(values);
  const get = (key: string) => values.get("c")?.get(key);
  /** This replica's write of `key` (applied at once, as plugin-store.ts does), answered later. */
  const write = (key: string, json: string | undefined) => {
    const c = values.get("c") ?? new Map<string, string>();
    values.set("c", c);
    if (json === undefined) c.delete(key);
    else c.set(key, json);
    return v.wrote({ collection: "c", key, json });
  };
  return { v, get, write };
}

describe("a keyed view kept in rev order", () => {
  test("an older write announced late does not replace a newer one, nor bring back a deleted key", () => {
    const { v, get } = view();
    v.offer("c", "k", '"new"', 5);
    v.offer("c", "k", '"old"', 3);
    expect(get("k")).toBe('"new"');
    v.offer("c", "k", undefined, 6);
    v.offer("c", "k", '"older"', 4);
    expect(get("k")).toBeUndefined();
  });

  test("another replica's write that lands after this one's unanswered write wins once it is answered", () => {
    const { v, get, write } = view();
    const answered = write("k", '"mine"');
    v.offer("c", "k", '"theirs"', 8);
    expect(get("k")).toBe('"mine"');
    answered(7);
    expect(get("k")).toBe('"theirs"');
  });

  test("another replica's write that landed before this one's loses to it", () => {
    const { v, get, write } = view();
    const answered = write("k", '"mine"');
    v.offer("c", "k", '"theirs"', 6);
    answered(7);
    expect(get("k")).toBe('"mine"');
    v.offer("c", "k", '"late and older"', 6);
    expect(get("k")).toBe('"mine"');
  });

  test("a resync forgets what the store lost, but not what was written or announced since it began", async () => {
    const { v, get, write } = view();
    v.offer("c", "lost", "1", 1);
    v.offer("c", "announced", "1", 2);
    await v.resync(async () => {
      // While the read runs: this replica writes one key, another replica's write of another is announced.
      write("mine", "1")(3);
      v.offer("c", "announced", "2", 4);
      return [{ collection: "c", key: "kept", json: "9", rev: 1 }];
    });
    expect([get("lost"), get("mine"), get("announced"), get("kept")]).toEqual([undefined, "1", "2", "9"]);
  });
});
