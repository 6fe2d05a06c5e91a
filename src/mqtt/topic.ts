/**
 * MQTT topic names and topic filters (MQTT 5 §4.7, same rules in 3.1.1 §4.7).
 * One helper for `check` (config), the client's local dispatch and the templates that print
 * values into a publishing topic.
 */

/** §1.5.4: a UTF-8 string is at most 65,535 bytes (two-byte length prefix). */
const MAX_TOPIC_BYTES = 65_535;
const NUL = "\u0000";

/** Why `topic` cannot be published to (§4.7.1: no wildcards in a Topic Name), or undefined. */
export function topicProblem(topic: string): string | undefined {
  const common = commonProblem(topic);
  if (common !== undefined) return common;
  if (topic.includes("+") || topic.includes("#")) {
    return "a topic to publish to cannot contain the wildcards + or # (MQTT 5 §4.7.1)";
  }
  return unfitText(topic);
}

/**
 * §1.5.4: control characters (U+0001-U+001F, U+007F-U+009F) and non-characters SHOULD NOT be in
 * a UTF-8 string, and a lone surrogate cannot be encoded at all; brokers such as mosquitto close
 * the connection of a client that publishes to such a topic, so the gateway refuses it first.
 */
function unfitText(text: string): string | undefined {
  if (/[\u0001-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff]/.test(text))
    return "a topic must not contain control characters or non-characters (MQTT 5 §1.5.4)";
  if (!text.isWellFormed()) return "a topic must be UTF-8 text: it holds a lone surrogate (MQTT 5 §1.5.4)";
  return undefined;
}

/** Why `filter` cannot be subscribed to, or undefined (§4.7.1.2, §4.7.1.3). */
export function filterProblem(filter: string): string | undefined {
  const common = commonProblem(filter);
  if (common !== undefined) return common;
  const levels = filter.split("/");
  for (const [i, level] of levels.entries()) {
    // §4.7.1.2: "#" MUST be specified on its own level and be the last character.
    if (level.includes("#") && (level !== "#" || i !== levels.length - 1)) {
      return "# must be a whole level and the last one (MQTT 5 §4.7.1.2)";
    }
    // §4.7.1.3: "+" MUST occupy an entire level of the filter.
    if (level.includes("+") && level !== "+") return "+ must be a whole level (MQTT 5 §4.7.1.3)";
  }
  return undefined;
}

function commonProblem(text: string): string | undefined {
  // §4.7.3: at least one character, no NUL, at most 65,535 bytes.
  if (text.length === 0) return "a topic must not be empty (MQTT 5 §4.7.3)";
  if (text.includes(NUL)) return "a topic must not contain NUL (MQTT 5 §4.7.3)";
  if (Buffer.byteLength(text, "utf8") > MAX_TOPIC_BYTES) {
    return `a topic is at most ${MAX_TOPIC_BYTES} bytes (MQTT 5 §1.5.4)`;
  }
  return undefined;
}

export const validTopic = (topic: string): boolean => topicProblem(topic) === undefined;
export const validFilter = (filter: string): boolean => filterProblem(filter) === undefined;

/**
 * Why a value printed by a template into a topic would not stay one level of its own, or
 * undefined: no `/`, `+`, `#` (it would publish elsewhere), not empty (`dev//set` is another
 * topic, §4.7.1.1: an empty level is a level), no NUL or what §1.5.4 rules out.
 */
export function levelProblem(value: string): string | undefined {
  if (value === "") return "is empty (a missing value would leave an empty topic level)";
  if (/[/+#]/.test(value)) return "contains /, +, # or NUL";
  if (value.includes(NUL)) return "contains /, +, # or NUL";
  const unfit = unfitText(value);
  return unfit === undefined ? undefined : `cannot be in a topic (${unfit.replace(/^a topic /, "")})`;
}

export const validTopicLevel = (value: string): boolean => levelProblem(value) === undefined;

/**
 * The segments the wildcards of `filter` matched in `topic`, in order, or undefined when it does
 * not match. `+` gives its level; `#` gives the rest of the topic joined by `/` ("" when it
 * matched the parent level alone, §4.7.1.2: "sport/#" matches "sport").
 */
export function matchTopic(filter: string, topic: string): string[] | undefined {
  // §4.7.2: a filter starting with a wildcard does not match a topic starting with "$".
  if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) return undefined;
  const want = filter.split("/");
  const have = topic.split("/");
  const found: string[] = [];
  for (const [i, level] of want.entries()) {
    if (level === "#") {
      found.push(have.slice(i).join("/"));
      return found;
    }
    const got = have[i];
    if (got === undefined) return undefined;
    if (level === "+") found.push(got);
    else if (level !== got) return undefined;
  }
  return want.length === have.length ? found : undefined;
}

/** How many entries `wildcards` has for a filter: one per `+`, one for `#`. */
export const wildcardCount = (filter: string): number => filter.split("/").filter((level) => level === "+" || level === "#").length;

/** What `check` says of `{{ expr }}` reading wildcards[index] past a filter's `count` wildcard levels (routes and bot jobs alike). */
export function wildcardsProblem(expr: string, count: number): string {
  const has = count
    ? `${count} wildcard level${count === 1 ? "" : "s"} (+ or #): wildcards[0] to wildcards[${count - 1}]`
    : "no wildcard (+ or #)";
  return `template uses {{ ${expr} }} but the topic filter has ${has}`;
}
