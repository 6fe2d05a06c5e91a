/**
 * What every replicas test runs: one bearer-protected `/say` route that tells bob the text it is
 * given, and one component domain per replica (Prosody and ejabberd route a domain to one
 * connection: replicas never share one).
 */
export const REPLICA_TOKEN = "replicas-app-token-0123456789";

export const REPLICA_ROUTES = `
auth:
  app:
    kind: bearer
    tokens: [{ name: app, token: "${REPLICA_TOKEN}" }]
routes:
  - path: /say
    auth: app
    body: { text: string }
    send: <message to="bob@localhost" type="chat"><body>{{ body.text }}</body></message>
`;

export const replicaDomains = (replicas: number) =>
  Array.from({ length: replicas }, (_, n) => ({ domain: `replica-${n}.localhost`, secret: `replica-${n}-secret` }));
