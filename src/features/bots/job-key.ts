/**
 * What names a bot job in the store (its claims in job_runs, its last run for `on_change:`): the
 * same on every replica. Each replica is a component of its own domain (XEP-0114 §2: a server
 * routes one domain to one component) and a bot's JID must be on it, so the JID differs per
 * replica while the bot's local part and the job's name do not. Keyed by the JID, every replica
 * ran every run of a job (review of issue 26, finding 9).
 */

/** `<local part>@ <job>`, `@ <job>` for a bot that is the component domain itself (no local part). */
export function jobKey(jid: string, job: string): string {
  const at = jid.indexOf("@");
  return `${at < 0 ? "" : jid.slice(0, at)}@ ${job}`;
}

/** The key a job's last run was kept under before jobKey: read once after an upgrade, so `on_change:` does not repeat. */
export function jidJobKey(jid: string, job: string): string {
  return `${jid} ${job}`;
}
