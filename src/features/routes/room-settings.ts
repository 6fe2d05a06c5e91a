/** A declarative route's groupchat settings (routes.yaml `nick`, `room_password`, `rooms`) for rooms/route-rooms.ts. */
import type { RouteRoomSettings } from "../../rooms/route-rooms.ts";
import type { DeclarativeRouteConfig } from "./types.ts";
import type { MqttRouteConfig } from "./mqtt-check.ts";

export function routeRoomSettings(route: DeclarativeRouteConfig, defaultTimeoutMs: number): RouteRoomSettings {
  return { route: `${route.method} ${route.path}`, ...route.rooms, timeoutMs: route.timeoutMs ?? defaultTimeoutMs };
}

/** An MQTT route's: named by its name, as its messages are sent (mqtt-handler.ts). */
export function mqttRoomSettings(route: MqttRouteConfig, timeoutMs: number): RouteRoomSettings {
  return { route: route.name, ...route.rooms, timeoutMs };
}
