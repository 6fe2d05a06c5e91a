/**
 * The store, whichever database holds it (issue 26): the bun:sqlite file of one gateway, or a
 * PostgreSQL that replicas share. Every operation is asynchronous, since PostgreSQL can only be
 * reached so; the SQLite implementation runs its statements synchronously inside and returns
 * promises already resolved, so the hot path (outbox push/peek/ack) costs what it did.
 *
 * Each section is what one part of Stanzagate keeps; the parts above it (store/outbox.ts,
 * store/threads.ts, topics/cache.ts, files/store.ts, auth/xmpp/grace.ts, store/plugin-store.ts)
 * keep their logic (hashing, bounds, JSON, blobs) and reach the rows only through this.
 * test/unit/store/ holds one specification run against each backend.
 */

type StoreKind = "sqlite" | "postgres";

export interface Store {
  readonly kind: StoreKind;
  readonly outbox: OutboxRows;
  readonly dead: DeadLetterRows;
  readonly keyed: KeyedRows;
  readonly threads: ThreadRows;
  readonly topics: TopicRows;
  readonly files: FileRows;
  readonly grace: GraceRows;
  readonly jobs: JobRuns;
  readonly fanout: TopicFanout;
  /**
   * The files' bytes, when the store keeps them itself (issue 26: PostgreSQL, so that every
   * replica serves every file); absent, they are files beside the store (SQLite: files/blobs.ts).
   */
  readonly blobs?: BlobRows;
  /** One write that changes nothing else: whether the store can be written (again). */
  probe(): Promise<void>;
  /** Ends every connection; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** A stanza waiting in the outbox. */
export interface QueuedStanza {
  seq: number;
  stanza: string;
  /** Times the server closed the stream right after this stanza. */
  attempts: number;
}

/** The outbox's rows, in the order they were queued (`seq`). */
export interface OutboxRows {
  /**
   * Rows queued, as last known, without a round trip (asked at every delivery): exact for this
   * process's writes; another writer's commits are seen within a millisecond (SQLite) or at the
   * next read (PostgreSQL).
   */
  size(): number;
  /**
   * Rows queued as this process last counted them, without looking for another writer's commits
   * (SQLite: a `PRAGMA data_version` read, about 9 µs): for the delivery's check while the link is
   * up, which another process's rows need not hold back. Absent: size().
   */
  counted?(): number;
  /** Dead letters, as last known, without a round trip (/health asks it synchronously). */
  dead(): number;
  /** Appends; returns the row's seq. */
  push(stanza: string): Promise<number>;
  /**
   * The oldest `limit` rows queued after `seq`, handed to this store to send: replicas sharing
   * the store are not handed the same rows while this one's claim lasts (PostgreSQL).
   */
  peekAfter(seq: number, limit: number): Promise<QueuedStanza[]>;
  /** Forgets every row up to and including `seq` that peekAfter handed to this store. */
  ack(seq: number): Promise<void>;
  /**
   * Runs `work` (a drain), keeping the rows peekAfter handed to this store its own meanwhile
   * however long their sending takes (PostgreSQL renews the claims); once `work` ends the claims
   * lapse after the lease, so a replica whose link dropped, or that died, lets the others send them.
   */
  holding<T>(work: () => Promise<T>): Promise<T>;
  /** Counts a failed attempt of one row (with why); returns its attempts so far, 0 if no such row. */
  fail(seq: number, reason: string): Promise<number>;
  /** Moves one row to the dead letters; false if there was no such row. */
  bury(seq: number, reason: string): Promise<boolean>;
  /** When the oldest row was queued (ms since the epoch), undefined when empty. */
  oldestQueuedAt(): Promise<number | undefined>;
}

/** A stanza the server kept refusing, out of the queue (`stanzagate outbox`). */
export interface DeadLetter {
  seq: number;
  stanza: string;
  queued_at: number;
  failed_at: number;
  attempts: number;
  reason: string;
}

export interface DeadLetterRows {
  count(): Promise<number>;
  list(): Promise<DeadLetter[]>;
  /** Back at the end of the queue with a fresh attempt count; false if no such seq. */
  retry(seq: number): Promise<boolean>;
  /** Forgotten for good; false if no such seq. */
  drop(seq: number): Promise<boolean>;
}

/** Where one keyed value lives: a plugin's (or feature's) collection. */
interface KeyedAddress {
  plugin: string;
  collection: string;
  key: string;
}

/** One keyed value as stored: `json` undefined deletes it. */
export interface KeyedWrite {
  collection: string;
  key: string;
  json: string | undefined;
}

/**
 * A keyed value written by another replica sharing the store (`json` undefined: deleted). `rev`
 * orders the writes of one key: a later write of it has a larger one (PostgreSQL; 0 on SQLite).
 */
export interface KeyedChange extends KeyedWrite {
  plugin: string;
  rev: number;
}

/** The plugins' and features' keyed values (JSON text), and how far each one's migrations ran. */
export interface KeyedRows {
  /**
   * Every value of `plugin` (read once, when its store is opened), each collection's oldest written
   * first (to the millisecond; SQLite also within one): store/bounded-keyed.ts forgets in that order.
   * `rev` as in KeyedChange (PostgreSQL).
   */
  all(plugin: string): Promise<Array<{ collection: string; key: string; json: string; rev?: number }>>;
  /** set or delete (`json` undefined), in the same order as they are; answers the write's rev. */
  put(at: KeyedAddress, json: string | undefined): Promise<number>;
  /** One value as the store holds it now, with its rev. */
  read(at: KeyedAddress): Promise<{ json: string; rev: number } | undefined>;
  /**
   * Adds one to the integer kept at `at` (0 when absent) in one statement and answers the sum:
   * replicas asking at once are each given a different one (gotify's message ids).
   */
  increment(at: KeyedAddress): Promise<number>;
  /**
   * `onChange` gets what other replicas write from when this resolves (PostgreSQL LISTEN/NOTIFY;
   * a SQLite file has one gateway: never called); the answer stops it. `onResumed` is told when
   * the listening connection is back after it dropped: what was announced meanwhile was lost.
   */
  follow(onChange: (change: KeyedChange) => void, onResumed?: () => void): Promise<() => void>;
  /** set and delete are applied in the order they are called, whatever the backend. */
  set(at: KeyedAddress, json: string): Promise<void>;
  delete(at: KeyedAddress): Promise<void>;
  /** Migrations of `plugin` already run (0 when none). */
  version(plugin: string): Promise<number>;
  /** The rows of the tables of the plugin's own from before the keyed API (named `<plugin>_...`). */
  legacyTables(plugin: string): Promise<Map<string, Array<Record<string, unknown>>>>;
  /** One migration's outcome, in one transaction: its writes, the legacy tables it dropped, the version. */
  migrated(plugin: string, version: number, writes: readonly KeyedWrite[], drops: readonly string[]): Promise<void>;
}

/** The `correct:` threads: the hash of a thread's key -> its first message's id. */
export interface ThreadRows {
  /** The id remembered under `slot`, if it was remembered after `after` (ms). */
  get(slot: string, after: number): Promise<string | undefined>;
  /**
   * Remembers `slot` for `route` at `at`, then, in the same transaction, forgets the route's rows
   * remembered at `expiredUpTo` or before and those past its newest `max` (the oldest first).
   */
  remember(row: { slot: string; route: string; id: string; at: number }, bounds: { expiredUpTo: number; max: number }): Promise<void>;
  delete(slot: string): Promise<void>;
}

/**
 * Topic events between replicas sharing the store (issue 26 §2): each replica's live subscribers
 * see what any replica published. PostgreSQL's LISTEN/NOTIFY; a SQLite file has one gateway: no-ops.
 */
export interface TopicFanout {
  /** Tells the other replicas of an event (its JSON as cached; already in the cache). */
  announce(id: string, json: string): Promise<void>;
  /** `onEvent` gets the JSON of every event another replica announces, from when this resolves. */
  listen(onEvent: (json: string) => void): Promise<void>;
}

/** One topic event as the cache keeps it: its JSON, as subscribers get it. */
interface TopicEventRow {
  id: string;
  topic: string;
  time: number;
  expires: number;
  json: string;
}

/** Where a read of the cache starts (topics/types.ts Cursor, resolved). */
export type TopicStart = { afterId: string } | { fromTime: number } | "all" | "latest";

export interface TopicRows {
  /** Keeps `event`, then trims its topic to `maxRows` and `maxBytes` of JSON (the oldest first), in one transaction. */
  put(event: TopicEventRow, bounds: { maxRows: number; maxBytes: number }): Promise<void>;
  /**
   * The JSON of the events of `topics` unexpired at `now`, in publication order, at most `limit`.
   * `afterId` an id the cache no longer holds starts at the beginning; `latest` is each topic's last.
   */
  read(topics: readonly string[], start: TopicStart, now: number, limit: number): Promise<string[]>;
  /** Forgets what expired at `now`; returns how many. */
  sweep(now: number): Promise<number>;
}

/** A file row: what serving it needs. */
export interface FileRow {
  id: string;
  sha256: string;
  name: string;
  type: string;
  size: number;
  stored_at: number;
  expires_at: number;
}

/** The files' index; the bytes themselves are blobs on disk (files/blobs.ts). */
export interface FileRows {
  insert(row: FileRow): Promise<void>;
  /** The row of `id` unexpired at `now`. */
  find(id: string, now: number): Promise<FileRow | undefined>;
  delete(id: string): Promise<void>;
  /** Forgets the rows expired at `now`; returns how many. */
  expire(now: number): Promise<number>;
  /** Whether a row names the blob `sha256`. */
  names(sha256: string): Promise<boolean>;
  /** Every blob some row names. */
  blobs(): Promise<Set<string>>;
  /** Bytes of the blobs the rows name, each blob counted once. */
  storedBytes(): Promise<number>;
  /**
   * Inserts `row` if `fits(added, stored)` says there is room: `added` is 0 when a row names its
   * blob already (else its size), `stored` what the rows name. Judged and written in one
   * transaction, one at a time across every gateway on the store (the quota holds across
   * replicas). Returns whether it was inserted and the bytes stored afterwards.
   */
  insertIfRoom(row: FileRow, fits: (added: number, stored: number) => boolean): Promise<{ inserted: boolean; stored: number }>;
}

/**
 * Files' bytes kept in the store (files/db-blobs.ts streams them through this): each upload's
 * chunks are written as the body comes under an id of its own, invisible until `name` gives
 * them their hash in one transaction (what a rename is on disk).
 */
export interface BlobRows {
  /** Chunk `n` of the upload `upload` (chunks are numbered from 0, each `chunkBytes` but the last). */
  putChunk(upload: string, n: number, data: Uint8Array): Promise<void>;
  /**
   * Names the upload's `chunks` chunks, `size` bytes in all, as the blob `sha256`, and answers
   * when (ms, later than any naming of the same bytes before); undefined (nothing named) if they
   * are not all there. A blob of the same bytes named already is kept, marked named now (as a
   * rename over it would be), and the upload's chunks go.
   */
  name(upload: string, blob: { sha256: string; size: number; chunks: number; chunkBytes: number }): Promise<number | undefined>;
  /** Forgets an upload's chunks (a cut upload). */
  drop(upload: string): Promise<void>;
  /** Where the blob's chunks are, if it is named. */
  find(sha256: string): Promise<{ upload: string; size: number; chunkBytes: number } | undefined>;
  /** Chunks `from` to `to` (inclusive) of an upload, in order. */
  chunks(upload: string, from: number, to: number): Promise<Uint8Array[]>;
  /** The named blobs. */
  list(): Promise<string[]>;
  /** Forgets the blob `sha256` unless a file row names it or it was named after `writtenBefore` (ms, as `name` answers). */
  removeUnnamed(sha256: string, writtenBefore: number): Promise<void>;
  /** Forgets uploads never named whose last chunk was written before `writtenBefore` (ms): cut by a crash. */
  sweepUploads(writtenBefore: number): Promise<number>;
}

/** auth/xmpp/grace.ts: per scheme and user, the hash of the last password that logged in. */
export interface GraceRows {
  get(scheme: string, jid: string): Promise<{ hash: string; valid_at: number } | undefined>;
  put(scheme: string, jid: string, hash: string, validAt: number): Promise<void>;
  /** Moves `valid_at` of a row already there. */
  touch(scheme: string, jid: string, validAt: number): Promise<void>;
  /** Forgets the scheme's rows valid before `before`. */
  expire(scheme: string, before: number): Promise<void>;
}

/**
 * Which replica runs a bot job's scheduled run (issue 26 §2: a job configured on three replicas
 * runs once). A lease of the job's name for a part of its period, taken in one statement.
 */
export interface JobRuns {
  /**
   * Whether the run of `job` due at `at` is this store's to run: true unless some replica claimed
   * a run of it less than `gapMs` before `at`. SQLite's store is one gateway's alone: always true.
   */
  claim(job: string, at: number, gapMs: number): Promise<boolean>;
}
