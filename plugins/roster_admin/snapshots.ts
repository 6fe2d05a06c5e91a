/**
 * What the web app listed at the last sync of each user, in the gateway's sqlite store.
 *
 * `roster` is the canonical text of the contacts (contacts.ts `canonical`), so "nothing changed"
 * is one string comparison and needs no XMPP round trip. `managed` lists the contact JIDs the
 * gateway has set on the server: only those are removed when the web app stops listing them.
 * `clean` is false after a failed sync, so the next refresh reconciles instead of skipping.
 */
import type { Database } from "../../src/plugin-api.ts";

export interface Snapshot {
  roster: string;
  managed: string[];
  clean: boolean;
}

export interface SnapshotStore {
  get(username: string): Snapshot | undefined;
  save(username: string, snapshot: Snapshot): void;
}

interface Row {
  roster: string;
  managed: string;
  clean: number;
}

export function createSnapshotStore(db: Database): SnapshotStore {
  db.exec(`CREATE TABLE IF NOT EXISTS roster_admin_snapshots (
    username TEXT PRIMARY KEY,
    roster TEXT NOT NULL,
    managed TEXT NOT NULL,
    clean INTEGER NOT NULL,
    synced_at INTEGER NOT NULL
  )`);
  const select = db.query<Row, { username: string }>("SELECT roster, managed, clean FROM roster_admin_snapshots WHERE username = $username");
  const upsert = db.query(
    `INSERT INTO roster_admin_snapshots (username, roster, managed, clean, synced_at)
     VALUES ($username, $roster, $managed, $clean, $synced_at)
     ON CONFLICT (username) DO UPDATE SET roster = excluded.roster, managed = excluded.managed,
       clean = excluded.clean, synced_at = excluded.synced_at`,
  );
  return {
    get(username) {
      const row = select.get({ username });
      if (!row) return undefined;
      return { roster: row.roster, managed: JSON.parse(row.managed) as string[], clean: row.clean === 1 };
    },
    save(username, s) {
      upsert.run({ username, roster: s.roster, managed: JSON.stringify(s.managed), clean: s.clean ? 1 : 0, synced_at: Date.now() });
    },
  };
}
