// Memory over many requests: post_msg at c=32 against the built gateway, RSS read after a warm-up
// and then after every further SOAK_STEP requests (up to SOAK_N, default 100,000). For issue 24's
// "no growth over 100,000 requests": RSS should settle, not climb with the count.
//   [SOAK_N=100000] [SOAK_STEP=25000] bun bench/probes/soak.ts
import { startProsody } from "../../testbed/prosody.ts";
import { freePort } from "../../testbed/ports.ts";
import { startBenchGateway } from "../lib/gateway.ts";
import { memoryMb } from "../lib/process.ts";
import { startReceiver } from "../lib/remote-receiver.ts";
import { benchRoutes } from "../lib/routes.ts";
import { echoWebhook } from "../phases/component-http.ts";
import { postMsgRun } from "../phases/post-msg.ts";

const TOTAL = Math.min(1_000_000, Number(process.env.SOAK_N ?? 100_000));
const STEP = Math.min(TOTAL, Number(process.env.SOAK_STEP ?? 25_000));
const WARM_UP = 5_000;

const prosody = await startProsody({ logLevel: "error", scramIterations: 10_000 });
const webhook = echoWebhook();
try {
  const bob = await startReceiver(prosody, "bob");
  const gw = await startBenchGateway(prosody, await freePort(), benchRoutes(prosody, webhook.url));
  try {
    await postMsgRun(gw.url, bob, WARM_UP, 32);
    await Bun.sleep(2_000);
    console.log(JSON.stringify({ requests: WARM_UP, ...memoryMb(gw.proc.pid) }));
    for (let done = 0; done < TOTAL; done += STEP) {
      const run = await postMsgRun(gw.url, bob, STEP, 32);
      await Bun.sleep(2_000);
      console.log(JSON.stringify({ requests: WARM_UP + done + STEP, lost: run.lost, ...memoryMb(gw.proc.pid) }));
    }
  } finally {
    await gw.stop();
    await bob.stop().catch(() => {});
  }
} finally {
  webhook.stop();
  await prosody.stop();
}
