import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderScreen } from "../test/render";
import { Removals } from "./Removals";
import { removalOf } from "./rightsFixture";
import { stubApi, THERAPIST } from "./testing";

const PRIYA = { ...THERAPIST, subject: "5c000000-0000-4000-8000-000000000001", roles: ["supervisor"], name: "Priya" };
const FIRST = removalOf("e0000000-0000-4000-8000-0000000a1b2c", "5a000000-0000-4000-8000-0000003f9c2a", 2);
const SECOND = removalOf("e0000000-0000-4000-8000-0000000d4e5f", "5a000000-0000-4000-8000-000000777777", 4);

afterEach(() => vi.unstubAllGlobals());

describe("a supervisor's removals at the end of the retention period", () => {
  it("shows each removal by short references, each part's report or that it waits, and loads the next page", async () => {
    const user = userEvent.setup();
    const calls = stubApi(
      {
        "GET /api/v1/goals/episode-expiries": ({ query }) =>
          query.get("cursor") === "page-2" ? { items: [SECOND], next_cursor: null } : { items: [FIRST], next_cursor: "page-2" },
      },
      PRIYA,
    );
    renderScreen(<Removals />);

    const table = await screen.findByRole("table", { name: "Removed care episodes, newest first" });
    const [, first] = within(table).getAllByRole("row");
    expect(within(first!).getByRole("rowheader")).toHaveTextContent("Ref. 0A1B2C");
    expect(first).toHaveTextContent("Ref. 3F9C2A");
    expect(first).not.toHaveTextContent(FIRST.client_id); // never the whole id
    expect(within(first!).getByText(/^Goals and care episodes: done on/)).toBeVisible();
    expect(within(first!).getByText("Messages and settings: waiting")).toBeVisible();

    await user.click(screen.getByRole("button", { name: "Show more removals" }));

    expect(await within(table).findByText("Ref. 777777")).toBeVisible();
    expect(within(table).getAllByRole("row")).toHaveLength(3); // the heading row, both removals once
    expect(screen.queryByRole("button", { name: "Show more removals" })).toBeNull();
    expect(screen.getByText("2 shown")).toBeInTheDocument();
    const asked = calls.filter((c) => c.path === "/api/v1/goals/episode-expiries").map((c) => c.query.get("cursor"));
    expect(asked).toEqual([null, "page-2"]);
  });

  it("says so when none has been removed, and when they cannot be loaded", async () => {
    stubApi({ "GET /api/v1/goals/episode-expiries": () => ({ items: [], next_cursor: null }) }, PRIYA);
    const { unmount } = renderScreen(<Removals />);
    expect(await screen.findByText("No care episodes of your teams have been removed yet.")).toBeVisible();
    unmount();

    stubApi({ "GET /api/v1/goals/episode-expiries": () => Response.json({ title: "Oops", status: 500 }, { status: 500 }) }, PRIYA);
    renderScreen(<Removals />);
    expect(await screen.findByRole("alert")).toHaveTextContent("We couldn't load the removals just now.");
  });
});
