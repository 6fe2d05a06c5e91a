// Two gotify routes (at / and at /gotify/) to bob@localhost, behind one application token.

/** A Gotify 2.x application token: `A` and 14 of [A-Za-z0-9._-]. */
export const GOTIFY_TOKEN = "AGhVjJ3kKc0d.zm";

export const GOTIFY_ROUTES = `
auth:
  apps: { kind: bearer, tokens: [{ token: "${GOTIFY_TOKEN}", name: monitoring }] }
routes:
  - { preset: gotify, to: bob@localhost, auth: apps }
  - { preset: gotify, path: /gotify/, to: bob@localhost, auth: apps }
`;
