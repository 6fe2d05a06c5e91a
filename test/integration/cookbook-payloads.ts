// What Sentry and a Slack-style tool post, shaped as their documentation describes them (Sentry:
// docs "Integration Platform > Webhooks" for issue alerts, issues and installation, and the
// WebHooks plugin's get_group_data; trimmed of the fields no route reads, values made up).

const ISSUE_URL = "https://sentry.io/organizations/shop/issues/4711/";
const INSTALLATION = { uuid: "7a485448-a9e2-4c85-8a3c-4f44175783c9" };
const ACTOR = { id: "sentry", name: "Sentry", type: "application" };

/** Sentry-Hook-Resource: event_alert, an alert rule's action firing. */
export function alertPayload(): unknown {
  return {
    action: "triggered",
    actor: ACTOR,
    data: {
      event: {
        event_id: "9f2c41d8e7b34c0e9a51c2b7d3e8f604",
        issue_id: "4711",
        issue_url: "https://sentry.io/api/0/issues/4711/",
        url: "https://sentry.io/api/0/projects/shop/web/events/9f2c/",
        web_url: `${ISSUE_URL}events/9f2c/`,
        title: "TypeError: cart is undefined",
        culprit: "app/cart.js in add",
        level: "error",
        logger: "",
        platform: "javascript",
        project: 2,
        message: "",
        metadata: { type: "TypeError", value: "cart is undefined", filename: "app/cart.js" },
        tags: [
          ["level", "error"],
          ["browser", "Firefox 133.0"],
          ["handled", "no"],
        ],
        exception: { values: [{ type: "TypeError", value: "cart is undefined", mechanism: { type: "onerror", handled: false } }] },
        timestamp: 1733520000.5,
      },
      triggered_rule: "Checkout errors",
      issue_alert: { title: "Checkout errors", settings: [] },
    },
    installation: INSTALLATION,
  };
}

/** Sentry-Hook-Resource: issue, action created. */
export function issuePayload(): unknown {
  return {
    action: "created",
    actor: ACTOR,
    data: {
      issue: {
        id: "4711",
        shortId: "SHOP-1A",
        title: "TypeError: cart is undefined",
        culprit: "app/cart.js in add",
        level: "error",
        status: "unresolved",
        substatus: "new",
        url: "https://sentry.io/api/0/organizations/shop/issues/4711/",
        web_url: ISSUE_URL,
        project_url: "https://sentry.io/organizations/shop/issues/?project=2",
        project: { id: "2", name: "Shop", slug: "shop", platform: "javascript" },
        metadata: { type: "TypeError", value: "cart is undefined" },
        count: "1",
        userCount: 1,
        firstSeen: "2026-12-06T21:00:00.000000Z",
        lastSeen: "2026-12-06T21:00:00.000000Z",
      },
    },
    installation: INSTALLATION,
  };
}

/** Sentry-Hook-Resource: installation, sent when the integration is installed. */
export function installationPayload(): unknown {
  return {
    action: "created",
    actor: { id: 1, name: "Alice", type: "user" },
    data: {
      installation: {
        uuid: INSTALLATION.uuid,
        status: "installed",
        app: { uuid: "64bf2cf4-37ca-4365-8dd3-6b6e56d741b8", slug: "stanzagate" },
        organization: { slug: "shop" },
      },
    },
    installation: INSTALLATION,
  };
}

/** The legacy WebHooks plugin: the group's fields at the top level, the event beside them. */
export function legacyPayload(): unknown {
  return {
    id: "4711",
    project: "shop",
    project_name: "Shop",
    project_slug: "shop",
    logger: null,
    level: "error",
    culprit: "app/cart.js in add",
    message: "cart is undefined",
    url: `${ISSUE_URL}?referrer=webhooks_plugin`,
    triggering_rules: ["Checkout errors"],
    event: {
      event_id: "9f2c41d8e7b34c0e9a51c2b7d3e8f604",
      id: "9f2c41d8e7b34c0e9a51c2b7d3e8f604",
      tags: [["level", "error"]],
      platform: "javascript",
    },
  };
}

/** A tool's "Slack incoming webhook" post, with the fields such tools add beside `text`. */
export const SLACK_STYLE_PAYLOAD = {
  text: "Backup of db1 failed: disk full",
  username: "backup-bot",
  icon_emoji: ":floppy_disk:",
  channel: "#ops",
  attachments: [{ color: "danger", title: "db1", text: "No space left on device", ts: 1733520000 }],
  blocks: [{ type: "section", text: { type: "mrkdwn", text: "*Backup of db1 failed*" } }],
};
