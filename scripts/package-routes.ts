// The routes.yaml of the .deb (/etc/stanzagate/routes.yaml, a conffile) and of the .tar.gz
// archives: `stanzagate init`'s starter, its values read from the environment so that a package
// upgrade never has to merge an edited file. `make release` writes it to dist/routes.yaml.
import { starterRoutes } from "../src/cli/init-files.ts";

process.stdout.write(
  starterRoutes({
    note: [
      "Installed by the stanzagate package. The ${VAR}s come from /etc/stanzagate/stanzagate.env",
      "(read by systemd); ${VAR:-x} is x when VAR is unset. Edit either file; a package upgrade",
      "asks before replacing an edited routes.yaml.",
    ],
    server: "${STANZAGATE_XMPP_SERVER:-xmpp://127.0.0.1:5347}",
    component: "${STANZAGATE_COMPONENT:-gateway.localhost}",
    secret: "${STANZAGATE_SECRET}",
    host: "${STANZAGATE_HOST:-localhost}",
    listen: "${STANZAGATE_LISTEN:-127.0.0.1:5280}",
    store: "/var/lib/stanzagate/stanzagate.db",
  }),
);
