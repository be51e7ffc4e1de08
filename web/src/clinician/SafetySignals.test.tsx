import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderScreen } from "../test/render";
import { SafetySignals } from "./SafetySignals";
import { FakeEventSource, stubApi, type Seen } from "./testing";
import { STREAM_PATH } from "./useLiveInbox";

const SIGNAL = {
  id: "5a5a5a5a-0000-4000-8000-000000000009",
  kind: "safety_signal",
  created_at: "2026-11-28T09:00:00Z",
  link: "/clients/c1",
  unread_count: 1,
};

let calls: Seen[];
let read: Set<string>;
beforeEach(() => {
  FakeEventSource.last = null;
  read = new Set();
  vi.stubGlobal("EventSource", FakeEventSource);
  calls = stubApi({
    "GET /api/v1/notifications/inbox": () => ({ items: [], next_cursor: null }),
    [`POST /api/v1/notifications/inbox/${SIGNAL.id}/read`]: () => {
      read.add(SIGNAL.id);
      return { ...SIGNAL, title: "t", body: "b", read_at: "2026-11-28T09:05:00Z" };
    },
  });
});
afterEach(() => vi.unstubAllGlobals());

describe("live safety signals on the caseload", () => {
  it("open the client's record inside the app when the stream's link is this app's public address", async () => {
    renderScreen(<SafetySignals />);
    await waitFor(() => expect(FakeEventSource.last).not.toBeNull());
    // The notifications service sends its public base URL plus the path; on this origin it is an in-app route.
    act(() => FakeEventSource.last!.send("inbox", { ...SIGNAL, link: `${window.location.origin}/clients/c1?from=signal` }));
    const link = await screen.findByRole("link", { name: "Open the client's record" });
    expect(link).toHaveAttribute("href", "/clients/c1?from=signal");
  });

  it("appear from the stream without a reload, say what to do, and stay until marked seen", async () => {
    const user = userEvent.setup();
    renderScreen(<SafetySignals />);
    await waitFor(() => expect(FakeEventSource.last).not.toBeNull());
    const source = FakeEventSource.last!;
    expect(source.url).toBe(STREAM_PATH);
    expect(source.init).toEqual({ withCredentials: true });
    expect(screen.queryByRole("alert")).toBeNull();

    act(() => source.send("inbox", SIGNAL));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(/safety signal was raised for one of your clients/);
    expect(alert).toHaveTextContent(/follow your service's safety procedure/);
    expect(screen.getByRole("link", { name: "Open the client's record" })).toHaveAttribute("href", SIGNAL.link);

    // Other news (an unread count, another kind of item) does not take it away.
    act(() => source.send("unread", { unread_count: 1 }));
    act(() => source.send("inbox", { ...SIGNAL, id: "other", kind: "goal_agreed", unread_count: 2 }));
    expect(screen.getByRole("alert")).toBeInTheDocument();
    expect(screen.getAllByRole("listitem")).toHaveLength(1);

    await user.click(screen.getByRole("button", { name: "Mark as seen" }));
    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
    expect(read.has(SIGNAL.id)).toBe(true);
    expect(calls.some((c) => c.method === "POST" && c.path.endsWith(`${SIGNAL.id}/read`))).toBe(true);
  });

  it("shows a signal already waiting in the inbox when the screen opens", async () => {
    stubApi({
      "GET /api/v1/notifications/inbox": () => ({
        items: [{ ...SIGNAL, title: "t", body: "b", read_at: null }],
        next_cursor: null,
      }),
    });
    renderScreen(<SafetySignals />);
    expect(await screen.findByRole("alert")).toHaveTextContent(/Please look at it today/);
  });

  it("closes the stream when the screen goes", async () => {
    const view = renderScreen(<SafetySignals />);
    await waitFor(() => expect(FakeEventSource.last).not.toBeNull());
    view.unmount();
    expect(FakeEventSource.last!.closed).toBe(true);
  });
});
