import createClient, { type Middleware } from "openapi-fetch";
import { getCsrfToken, sessionEnded } from "../auth/session";
import { ApiError, type Problem } from "./problem";
import type { paths } from "./schema";

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Same-origin cookie session; every write carries the session's CSRF token; a 401 means the session ended. */
export const sessionMiddleware: Middleware = {
  async onRequest({ request }) {
    if (WRITES.has(request.method)) {
      const token = await getCsrfToken();
      if (token) request.headers.set("X-CSRF-Token", token);
    }
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) sessionEnded();
    return response;
  },
};

export const api = createClient<paths>({
  // Same origin as the page (absolute, as fetch's Request wants outside a browser too).
  baseUrl: typeof location === "undefined" ? "" : location.origin,
  credentials: "same-origin",
  // Looked up on each call so tests (and the service worker's absence) can swap fetch.
  fetch: (request: Request) => globalThis.fetch(request),
});
api.use(sessionMiddleware);

/** openapi-fetch answers {data, error, response}; the screens want data or an ApiError thrown. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const problem: Problem =
      error && typeof error === "object" && "title" in error
        ? (error as Problem)
        : { title: response.statusText || "Request failed", status: response.status };
    throw new ApiError(response.status, problem);
  }
  return data as T;
}
