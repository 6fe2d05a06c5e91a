// The store's specification (test/helpers/store-conformance.ts) against the SQLite store: a fresh
// in-memory database, migrated, per test. PostgreSQL runs the same in test/integration/store/.
import { openStore } from "../../../src/store/db.ts";
import { sqliteStore } from "../../../src/store/sqlite/index.ts";
import { describeStore } from "../../helpers/store-conformance.ts";

describeStore("SQLite", async () => sqliteStore(openStore(":memory:")));
