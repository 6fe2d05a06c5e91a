/** A declarative route's groupchat settings (routes.yaml `nick`, `room_password`, `rooms`) for rooms/route-rooms.ts. */
import type { RouteRoomSettings } from "../../rooms/route-rooms.ts";
import type { DeclarativeRouteConfig } from "./types.ts";

export function routeRoomSettings(route: DeclarativeRouteConfig, defaultTimeoutMs: number): RouteRoomSettings {
  return { route: `${route.method} ${route.path}`, ...route.rooms, timeoutMs: route.timeoutMs ?? defaultTimeoutMs };
}
