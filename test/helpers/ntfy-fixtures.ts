// A recorded ntfy publish (test/fixtures/formats/ntfy/NAME.json: method, path, headers, body) as
// the request its sender made, and the topic it names, for the unit and real-server tests alike.

interface NtfyFixture {
  method?: string;
  path: string;
  headers: Record<string, string>;
  /** An object is sent as JSON (a publish to the root), a string as it is (a topic's body). */
  body: unknown;
}

export function ntfyRequest(text: string, extraHeaders: Record<string, string> = {}): { path: string; topic: string; init: RequestInit } {
  const fixture = JSON.parse(text) as NtfyFixture;
  const json = typeof fixture.body !== "string";
  return {
    path: fixture.path,
    topic: json ? String((fixture.body as { topic?: unknown }).topic) : (fixture.path.split("/")[1] ?? ""),
    init: {
      method: fixture.method ?? "POST",
      headers: { ...fixture.headers, ...extraHeaders },
      body: json ? JSON.stringify(fixture.body) : (fixture.body as string),
    },
  };
}
