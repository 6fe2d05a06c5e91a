/**
 * What kind of store routes.yaml's `store:` names, without opening it (the config check asks):
 * a bun:sqlite file (or ":memory:"), or a PostgreSQL URL that replicas share (issue 26).
 */
export const isPostgresUrl = (store: string): boolean => /^postgres(ql)?:\/\//i.test(store);

/** The file a SQLite store lives in (watched by store-health.ts); undefined for PostgreSQL. */
export const storeFile = (store: string): string | undefined => (isPostgresUrl(store) ? undefined : store);
