import { afterEach, describe, expect, it, vi } from "vitest";
import { setSessionEndedHandler } from "../auth/session";
import { stubFetch } from "../test/fetchStub";
import { api, unwrap } from "./client";
import { ApiError } from "./problem";
import { shouldRetry } from "./queryClient";

afterEach(() => setSessionEndedHandler(() => undefined));

describe("the API client", () => {
  it("sends the session's CSRF token on writes, not on reads, with the same-origin cookie", async () => {
    const calls = stubFetch({
      "GET /api/v1/notifications/inbox/unread-count": () => ({ body: { unread: 2 } }),
      "PUT /api/v1/notifications/preferences": () => ({ body: { locale: "cy", time_zone: "Europe/London", channels: [] } }),
    });
    await unwrap(api.GET("/api/v1/notifications/inbox/unread-count"));
    await unwrap(api.PUT("/api/v1/notifications/preferences", { body: { locale: "cy", time_zone: "Europe/London", channels: [] } }));
    const read = calls.find((c) => c.method === "GET" && c.path.startsWith("/api/"))!;
    const write = calls.find((c) => c.method === "PUT")!;
    expect(read.headers.get("X-CSRF-Token")).toBeNull();
    expect(write.headers.get("X-CSRF-Token")).toBe("csrf-123");
    const init = vi.mocked(fetch).mock.calls.find(([input]) => input instanceof Request && input.method === "PUT")![0] as Request;
    expect(init.credentials).toBe("same-origin");
  });

  it("hands a 401 to the session-ended handler (which keeps drafts and goes to sign in) and throws the problem", async () => {
    const ended = vi.fn();
    setSessionEndedHandler(ended);
    stubFetch({ "GET /api/v1/me/overview": () => ({ status: 401, body: { title: "Unauthorized", status: 401 } }) });
    await expect(unwrap(api.GET("/api/v1/me/overview"))).rejects.toBeInstanceOf(ApiError);
    expect(ended).toHaveBeenCalledOnce();
  });

  it("retries a retryable 409 quietly, but never a plain refusal", () => {
    const retryable = new ApiError(409, { title: "Not yet", status: 409, retryable: true });
    const refused = new ApiError(409, { title: "Conflict", status: 409 });
    expect(shouldRetry(0, retryable)).toBe(true);
    expect(shouldRetry(0, refused)).toBe(false);
    expect(shouldRetry(0, new ApiError(422, { title: "Invalid", status: 422 }))).toBe(false);
    expect(shouldRetry(0, new TypeError("Failed to fetch"))).toBe(true);
  });
});
