/**
 * What /metrics must have counted during each phase, from the benchmark's own counts. Only
 * series a phase alone moves are compared: confirmation pings (iq), /health polls and the
 * scrapes themselves are left out.
 */
import { deliveries, httpByStatus, messagesReceived, messagesSent, series } from "./scrape.ts";

const n = (statuses: Record<number, number>, status: number) => statuses[status] ?? 0;

/** post_msg (and the outbox phase): each 201 was sent, each 202 queued, and every accepted message written once. */
export function postMsgExpected(statuses: Record<number, number>): Record<string, number> {
  return deliveryExpected("/msg/*", statuses);
}

/** A route that delivers one message per request (post_msg, a declarative route), by its path pattern. */
export function deliveryExpected(route: string, statuses: Record<number, number>): Record<string, number> {
  return {
    ...httpByStatus(route, "POST", statuses),
    [deliveries("sent")]: n(statuses, 201),
    [deliveries("queued")]: n(statuses, 202),
    [messagesSent]: n(statuses, 201) + n(statuses, 202),
  };
}

/** component_http: alice's messages in, the webhook's replies out, one answered call each. */
export function componentHttpExpected(run: { sent: number; replies: number }): Record<string, number> {
  return {
    [messagesReceived]: run.sent,
    [messagesSent]: run.replies,
    [series("stanzagate_component_http_webhook_calls_total", { outcome: "answered_2xx" })]: run.sent,
  };
}

export function mucKickExpected(statuses: Record<number, number>): Record<string, number> {
  return httpByStatus("/muc_kick", "POST", statuses);
}

/** roster_admin: the refresh answers, and `updated`/`errors` of their bodies as sync counts. */
export function rosterExpected(statuses: Record<number, number>, answers: unknown[]): Record<string, number> {
  const sum = (key: string) => answers.reduce<number>((s, a) => s + Number((a as Record<string, unknown>)[key] ?? 0), 0);
  return {
    ...httpByStatus("/roster_admin/refresh", "POST", statuses),
    [series("stanzagate_roster_admin_syncs_total", { mode: "refresh", result: "ok" })]: sum("updated"),
    [series("stanzagate_roster_admin_syncs_total", { mode: "refresh", result: "failed" })]: sum("errors"),
  };
}
