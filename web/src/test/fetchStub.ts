import { vi } from "vitest";
import { forgetSession } from "../auth/session";
import { liveSessionTimes } from "./sessionTimes";

export interface Call {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

type Answer = { status?: number; body?: unknown; contentType?: string };
type Route = (call: Call) => Answer | Promise<Answer>;

export const SESSION = {
  subject: "8d3c7f0e-0000-4000-8000-000000000001",
  roles: ["client"],
  tenant_id: "demo",
  name: "Sam",
  csrf_token: "csrf-123",
  ...liveSessionTimes(),
};

/** Replaces fetch with answers per "METHOD /path" (the session is answered unless a route says otherwise) and
 * records every call. */
export function stubFetch(routes: Record<string, Route>): Call[] {
  forgetSession();
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost"), init);
      const url = new URL(request.url, "http://localhost");
      const text = request.method === "GET" ? "" : await request.text();
      const call: Call = {
        method: request.method,
        path: url.pathname,
        headers: request.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      calls.push(call);
      const fallback: Route | null = call.path === "/auth/session" ? () => ({ body: SESSION }) : null;
      const route = routes[`${call.method} ${call.path}`] ?? fallback;
      if (!route) return new Response(JSON.stringify({ title: "Not found", status: 404 }), { status: 404 });
      const answer = await route(call);
      const status = answer.status ?? 200;
      return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
        status,
        headers: { "Content-Type": answer.contentType ?? (status >= 400 ? "application/problem+json" : "application/json") },
      });
    }),
  );
  return calls;
}
