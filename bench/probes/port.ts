/** The port of `http.listen` in the routes.yaml a probe is started with (as the gateway would be). */
import { readFileSync } from "node:fs";

export function probePort(argv: string[]): number {
  const file = argv[argv.indexOf("--config") + 1] ?? "routes.yaml";
  return Number(readFileSync(file, "utf8").match(/listen: [\d.]+:(\d+)/)?.[1] ?? 0);
}
