/**
 * What a handler may ask of the socket its request came on, which the request itself cannot do:
 * answer a stream that never ends (the request log then reads none of it),
 * keep a stream open past Bun's idle timeout (a subscriber's stream is quiet between keepalives),
 * and take a WebSocket over (Bun's `server.upgrade`; Elysia's `.ws` would declare the route
 * outside the registry every other path goes through). Requests handled in-process have no socket.
 */
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";

/** One WebSocket's own callbacks, set by the handler that upgraded it. */
export interface SocketHandlers {
  open(ws: ServerWebSocket<SocketHandlers>): void;
  message(ws: ServerWebSocket<SocketHandlers>, data: string | Buffer): void;
  close(ws: ServerWebSocket<SocketHandlers>, code: number, reason: string): void;
  /** The socket's send buffer emptied (Bun's backpressure). */
  drain?(ws: ServerWebSocket<SocketHandlers>): void;
}

/** The listener a request came on, and the request as Bun made it: only that one can be upgraded or held open. */
const sockets = new WeakMap<Request, { server: Server<SocketHandlers>; native: Request }>();
const streams = new WeakSet<Response>();

/** An answer that streams until the client goes (a subscription): the request log must not wait to read it. */
export function streamingResponse(body: ReadableStream<Uint8Array>, init: ResponseInit): Response {
  const response = new Response(body, init);
  streams.add(response);
  return response;
}

export const isStreaming = (response: Response): boolean => streams.has(response);

/** Called by the listener for each request. */
export function rememberServer(request: Request, server: Server<SocketHandlers>): void {
  sockets.set(request, { server, native: request });
}

/** A request rebuilt (front-door.ts) keeps its socket. */
export function carrySocket(from: Request, to: Request): void {
  const socket = sockets.get(from);
  if (socket) sockets.set(to, socket);
}

/** No idle timeout for this request's connection: a stream that sends its own keepalives. */
export function holdOpen(request: Request): void {
  const socket = sockets.get(request);
  socket?.server.timeout(socket.native, 0);
}

/** Takes the connection over as a WebSocket; false when the request came in-process or is no upgrade. */
export function upgradeWebSocket(request: Request, handlers: SocketHandlers): boolean {
  const socket = sockets.get(request);
  return socket?.server.upgrade(socket.native, { data: handlers }) ?? false;
}

/** Bun.serve's `websocket`: each socket's calls go to the handlers its upgrade set. */
export const WEBSOCKETS: WebSocketHandler<SocketHandlers> = {
  open: (ws) => ws.data.open(ws),
  message: (ws, data) => ws.data.message(ws, data),
  close: (ws, code, reason) => ws.data.close(ws, code, reason),
  drain: (ws) => ws.data.drain?.(ws),
};
