import { vi } from "vitest";
import { forgetSession } from "../auth/session";
import { liveSessionTimes } from "../test/sessionTimes";

export const THERAPIST = {
  subject: "8d3c7f0e-0000-4000-8000-000000000002",
  roles: ["therapist"],
  tenant_id: "demo",
  name: "Alex",
  csrf_token: "csrf-123",
  ...liveSessionTimes(),
};

export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

/** fetch answered per "METHOD /path" with the query string kept (the caseload's sort, filters and cursor), for the
 * signed-in `session` (a therapist unless told). */
export function stubApi(routes: Record<string, (seen: Seen) => unknown>, session: object = THERAPIST): Seen[] {
  forgetSession();
  const calls: Seen[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const request = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost"), init);
      const url = new URL(request.url, "http://localhost");
      const text = request.method === "GET" ? "" : await request.text();
      const seen: Seen = { method: request.method, path: url.pathname, query: url.searchParams, body: text ? JSON.parse(text) : null };
      calls.push(seen);
      if (seen.path === "/auth/session") return Response.json(session);
      const route = routes[`${seen.method} ${seen.path}`];
      if (!route) return Response.json({ title: "Not found", status: 404 }, { status: 404 });
      const answer = route(seen);
      return answer instanceof Response ? answer : Response.json(answer);
    }),
  );
  return calls;
}

/** A stand-in for the browser's EventSource: the test sends the events the notifications stream would. */
export class FakeEventSource {
  static last: FakeEventSource | null = null;
  readonly listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();
  closed = false;
  constructor(
    readonly url: string,
    readonly init?: EventSourceInit,
  ) {
    FakeEventSource.last = this;
  }
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close() {
    this.closed = true;
  }
  send(type: string, data: unknown) {
    for (const listener of this.listeners.get(type) ?? [])
      listener(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
}
