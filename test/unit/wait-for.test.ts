// The tests' one poll-until (testbed/timeouts.ts): what it returns, and what it says when the
// bound runs out, since that message is all a failing test run shows of the wait.
import { expect, test } from "bun:test";
import { unlessTimedOut, waitFor, WaitTimedOut } from "../../testbed/timeouts.ts";

test("returns the condition's first truthy value", async () => {
  let checks = 0;
  const value = await waitFor(() => ++checks >= 3 && `after ${checks} checks`, 1_000, "the third check", undefined, 1);
  expect(value).toBe("after 3 checks");
});

test("running out names what was awaited, with the caller's detail", async () => {
  const err = await waitFor(
    () => false,
    10,
    "the link to come online",
    () => "last log lines: none",
    1,
  ).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WaitTimedOut);
  expect((err as Error).message).toBe("timed out after 10 ms waiting for the link to come online\nlast log lines: none");
});

test("a condition that throws ends the wait with its own error, which unlessTimedOut passes on", async () => {
  const exited = () => {
    throw new Error("the gateway exited with 1");
  };
  await expect(waitFor(exited, 60_000, "the gateway to serve HTTP").catch(unlessTimedOut)).rejects.toThrow("the gateway exited with 1");
  expect(await waitFor(() => false, 5, "nothing", undefined, 1).catch(unlessTimedOut)).toBeUndefined();
});
