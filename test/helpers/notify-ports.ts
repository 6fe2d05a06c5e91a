// NotifyPorts that deliver nowhere: what a notification sends is kept in `sent`, each delivery
// answered with the next of `outcomes` (sent when none is left); ids id1, id2...
import type { Element } from "ltx";

export function collectingPorts(outcomes: Array<"sent" | "queued"> = [], maxStanzaBytes = 10_000) {
  const sent: Element[] = [];
  let n = 0;
  return {
    sent,
    component: "gw.localhost",
    maxStanzaBytes,
    newId: () => `id${++n}`,
    deliver: async (stanza: Element) => {
      sent.push(stanza);
      return outcomes.shift() ?? "sent";
    },
  };
}
