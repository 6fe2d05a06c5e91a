// What every fuzzed request must satisfy (issue 10, "What must exist" 6): no 500, no 5xx but the
// ones about the server, a JSON `error` + `code` on every error, and the XMPP server never closing
// the gateway's stream (its log stays free of stream errors, the link never goes offline).
import { afterAll, beforeAll } from "bun:test";
import fc from "fast-check";
import { startProsody } from "../../testbed/prosody.ts";
import type { XmppServer } from "../../testbed/xmpp-server.ts";
import { startGateway, type TestGateway } from "../helpers/gateway.ts";
import { logOffset, streamTroubleSince } from "../../testbed/prosody-log.ts";
import { SIZES } from "./sizes.ts";

/** 5xx answers that report the server's state, not the gateway's failure. */
const SERVER_SIDE = new Set(["502 XMPP_ERROR", "504 XMPP_TIMEOUT"]);
const PROPERTY_TIME_LIMIT_MS = 40_000;

export interface Answer {
  status: number;
  text: string;
}

export async function send(url: string, init: RequestInit): Promise<Answer> {
  const res = await fetch(url, init);
  return { status: res.status, text: await res.text() };
}

/**
 * Why this answer breaks the contract, or null. `originalBodies`: the route reproduces the
 * original module's bodies, which carry `error` only (muc_kick's README, "Errors").
 */
export function answerProblem(a: Answer, originalBodies = false): string | null {
  if (a.status < 400) return null;
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    return `${a.status} without a JSON body: ${JSON.stringify(a.text.slice(0, 200))}`;
  }
  const { error, code } = (body ?? {}) as { error?: unknown; code?: unknown };
  if (typeof error !== "string" || (typeof code !== "string" && !originalBodies))
    return `${a.status} without string error and code: ${a.text.slice(0, 200)}`;
  if (a.status >= 500 && !SERVER_SIDE.has(`${a.status} ${String(code)}`)) return `${a.status} ${code}: ${a.text.slice(0, 200)}`;
  return null;
}

export interface LinkMark {
  logOffset: number;
  offlineEvents: number;
}

/** Where the server's log and the gateway's link events stand before a fuzz run. */
export async function markLink(prosody: XmppServer, gw: TestGateway): Promise<LinkMark> {
  return { logOffset: await logOffset(prosody), offlineEvents: offlineEvents(gw) };
}

const offlineEvents = (gw: TestGateway): number => gw.logs.filter((l) => l.msg === "component offline").length;

/** Why the link to the server is not healthy since `mark`, or null. */
export async function linkProblem(prosody: XmppServer, gw: TestGateway, mark: LinkMark): Promise<string | null> {
  const trouble = await streamTroubleSince(prosody, mark.logOffset);
  if (trouble.length > 0) return `the server's log: ${trouble.slice(0, 3).join(" | ").slice(0, 600)}`;
  const offline = offlineEvents(gw) - mark.offlineEvents;
  if (offline > 0 || gw.gateway.link.status !== "online") return `the link went ${gw.gateway.link.status} (${offline} offline events)`;
  return null;
}

/**
 * Runs `property` with the suite's seed and run count. It stops at the first failure without
 * shrinking: a failure can leave the gateway changed (a poisoned outbox), so a shrunk input would
 * be blamed for what an earlier one did. The failing input and answer are in the thrown message.
 */
export async function fuzz<T>(name: string, arb: fc.Arbitrary<T>, check: (input: T) => Promise<string | null>): Promise<void> {
  console.log(`faults fuzz ${name}: seed=${SIZES.seed} runs=${SIZES.runs} (FAULTS_SEED, FAULTS_RUNS)`);
  let ran = 0;
  const property = fc.asyncProperty(arb, async (input) => {
    ran++;
    const problem = await check(input);
    if (problem !== null) throw new Error(problem);
  });
  await fc.assert(property, {
    seed: SIZES.seed,
    numRuns: SIZES.runs,
    endOnFailure: true,
    interruptAfterTimeLimit: PROPERTY_TIME_LIMIT_MS,
    markInterruptAsFailure: false,
    reporter: (details) => {
      if (details.failed) throw new Error(`${name}: ${describeFailure(details.counterexample, details.errorInstance)}`);
    },
  });
  console.log(`faults fuzz ${name}: ${ran} runs passed`);
}

function describeFailure(counterexample: unknown, error: unknown): string {
  const raw = JSON.stringify(counterexample, (_k, v: unknown) =>
    v instanceof Uint8Array ? `bytes(latin1):${Buffer.from(v).toString("latin1")}` : v,
  );
  // Huge inputs are one character repeated: say so instead of printing it 600,000 times.
  const input = raw.replace(/(.{1,12}?)\1{20,}/gsu, (run: string, unit: string) => `«${unit} ×${run.length / unit.length}»`);
  const why = error instanceof Error ? error.message : String(error);
  return `${why}\n  input (${input.length} chars): ${input.length > 1_500 ? `${input.slice(0, 1_500)}…` : input}`;
}

/** A file's Prosody (started before its properties, stopped after) and the one gateway a property starts on it. */
export function useFuzzBed(): { prosody(): XmppServer; gateway(routes: string): Promise<TestGateway> } {
  let prosody: XmppServer | undefined;
  let gw: TestGateway | undefined;
  beforeAll(async () => void (prosody = await startProsody()), 30_000);
  afterAll(async () => {
    await gw?.stop();
    await prosody?.stop();
  });
  const server = () => prosody ?? notStarted();
  return {
    prosody: server,
    gateway: async (routes) => (gw = await startGateway(server(), { routes, waitForPrivileges: true })),
  };
}

function notStarted(): never {
  throw new Error("the fuzz bed's Prosody starts in beforeAll: use it in a test");
}
