/**
 * Templates that print into an MQTT topic to publish to (a bot command's `mqtt.topic`, a route's
 * `publish.topic`; issue 23). A printed value must stay inside one topic level: no `/`, `+`, `#`
 * or NUL (MQTT 5 §4.7.1, §4.7.3), so nothing a sender writes can make the gateway publish to
 * another topic, as a bot's URL template keeps its origin. The literal text is checked at load
 * (no wildcards: a Topic Name has none, §4.7.1), the rendered topic once more before publishing.
 */
import { GatewayError } from "../plugin-api/errors.ts";
import { levelProblem, topicProblem } from "../mqtt/topic.ts";
import { createLiquid } from "./liquid.ts";

/**
 * The engine of topic templates: a printed value that would not stay one level of its own is
 * refused (400 MQTT_TOPIC_INVALID). Topics are no XML: MQTT's rules apply, not XML's.
 */
export const topicLiquid = createLiquid(
  (text) => {
    const problem = levelProblem(text);
    if (problem === undefined) return text;
    throw new GatewayError("MQTT_TOPIC_INVALID", `a value printed into the MQTT topic ${problem}: ${preview(text)}`);
  },
  { xml: false },
);

/**
 * Renders a topic template and checks the result; a refused value is named by the expression
 * that printed it (`{{ body.room }}`), which liquidFailure puts in details.template.
 */
export function renderTopic(render: () => string): string {
  try {
    return publishableTopic(render());
  } catch (err) {
    if (!(err instanceof GatewayError) || err.code !== "MQTT_TOPIC_INVALID" || typeof err.details.template !== "string") throw err;
    throw new GatewayError("MQTT_TOPIC_INVALID", `${err.message} (printed by ${err.details.template})`, { details: err.details });
  }
}

/** The rendered topic, or a refusal naming why it cannot be published to. */
function publishableTopic(rendered: string): string {
  const problem = topicProblem(rendered);
  if (problem === undefined) return rendered;
  throw new GatewayError("MQTT_TOPIC_INVALID", `the rendered MQTT topic ${preview(rendered)} cannot be published to: ${problem}`);
}

/**
 * What is wrong with a topic template's literal text (outside `{{ }}` and `{% %}`), with its
 * offset: a wildcard or NUL there can never be published to, whatever the values.
 */
export function topicTemplateProblem(source: string): { message: string; offset: number } | undefined {
  if (source.trim() === "") return { message: "a topic to publish to must not be empty (MQTT 5 §4.7.3)", offset: 0 };
  // Tags blanked out at the same length, so an offset in `literal` is one in `source`.
  const literal = source.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, (tag) => " ".repeat(tag.length));
  const at = literal.search(/[+#\u0000]/);
  if (at >= 0)
    return {
      message: "a topic to publish to cannot contain the wildcards + or # (MQTT 5 §4.7.1): use a template value for a level",
      offset: at,
    };
  return undefined;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
