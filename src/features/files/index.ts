/**
 * Serving the files notifications attach (issue 21, docs/files.md): GET/HEAD
 * `<attachments.path>/<id>/<name>` when http.public_url turns attachments on, and the sweep that
 * forgets them when they expire. What stores them is src/files/, lent to every format's route.
 */
import { defineFeature } from "../../feature-api.ts";
import { serveFile } from "./serve.ts";

/** How often expired files are removed: a minute late at most, against days of life. */
const SWEEP_MS = 60_000;

export default defineFeature({
  name: "files",
  summary: "Serves the files and images notifications attach.",
  start({ files, http, log }) {
    if (!files) return {};
    const path = `${files.settings.path}/:id/:name`;
    const serve = serveFile(files.store, log);
    // The id is the file's only key (128 random bits): a log reader must not be handed it.
    http.add("GET", path, serve, { secretParams: ["id"] });
    http.add("HEAD", path, serve, { secretParams: ["id"] });
    let timer: ReturnType<typeof setInterval> | undefined;
    const sweep = () =>
      void files.store.sweep().catch((err: unknown) => {
        log.warn("expired files could not be removed", { err: err instanceof Error ? err.message : String(err) });
      });
    return {
      ready() {
        timer = setInterval(sweep, SWEEP_MS);
        timer.unref();
      },
      stop: () => clearInterval(timer),
      // How full the store is, for whoever watches /health: a quota reached refuses every file.
      health: () => [
        { plugin: "files", path: files.settings.path, used_bytes: files.store.used(), quota_bytes: files.settings.quota_bytes },
      ],
    };
  },
});
