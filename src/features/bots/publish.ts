/**
 * A command's `mqtt:` (issue 23): the topic and payload rendered from the command's names, then
 * published to the broker. At QoS 1 and 2 the reply waits for the broker's acknowledgement
 * (MQTT 5 §4.3.2 PUBACK, §4.3.3 PUBCOMP), so "done" means the broker has it. Nothing is kept for
 * later when the broker is away: the sender is told so (a command is a request, not a queue).
 */
import { GatewayError } from "../../plugin-api/errors.ts";
import type { Mqtt } from "../../mqtt/types.ts";
import type { CompiledMqtt } from "./compiled.ts";

/** What `reply:`, `send:` and `error:` read as mqtt.* */
export interface Published {
  topic: string;
  payload: string;
  qos: 0 | 1 | 2;
  retain: boolean;
}

/** A publish that failed: `message` is the sentence the sender reads; `topic` once rendered. */
export class PublishError extends Error {
  constructor(
    message: string,
    readonly topic?: string,
  ) {
    super(message);
  }
}

export async function publish(
  spec: CompiledMqtt,
  scope: Record<string, unknown>,
  mqtt: Pick<Mqtt, "publish"> | undefined,
): Promise<Published> {
  const topic = built("topic", () => spec.topic.render(scope));
  const payload = built("payload", () => spec.payload.render(scope), topic);
  const { qos, retain } = spec;
  if (!mqtt) throw new PublishError("this gateway has no MQTT broker (the mqtt: section)", topic);
  try {
    await mqtt.publish(topic, payload, { qos, retain });
  } catch (err) {
    throw new PublishError(publishFailure(err), topic);
  }
  return { topic, payload, qos, retain };
}

/** A template that failed on the command's values (a room named "a/b"): the sender reads why. */
function built(what: string, render: () => string, topic?: string): string {
  try {
    return render();
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    throw new PublishError(`the MQTT ${what} could not be built (${err.message})`, topic);
  }
}

function publishFailure(err: unknown): string {
  if (err instanceof GatewayError && err.code === "MQTT_UNAVAILABLE") {
    const why = typeof err.details.reason === "string" ? err.details.reason : err.message;
    return `the MQTT broker is unavailable (${why})`;
  }
  return `the MQTT broker did not take the message (${err instanceof Error ? err.message : String(err)})`;
}
