import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderScreen } from "../test/render";
import { stubFetch } from "../test/fetchStub";
import Today from "./Today";

const DOWN = () => ({ status: 503, body: { title: "Service Unavailable", status: 503 } });

describe("the Today screen", () => {
  it("says the goals could not be fetched, not that there are none, when nothing was kept and the reads fail", async () => {
    stubFetch({ "GET /api/v1/me/overview": DOWN, "GET /api/v1/episodes": DOWN });
    renderScreen(<Today />);
    expect(await screen.findByRole("alert")).toHaveTextContent("We couldn't get this just now.");
    expect(screen.queryByText(/No active goals yet/)).not.toBeInTheDocument();
  });

  it("says there are no active goals when the service answers with none", async () => {
    stubFetch({
      "GET /api/v1/me/overview": () => ({ body: { goals: [], progress: {}, unread_notifications: 0, missing: [] } }),
      "GET /api/v1/episodes": () => ({ body: { items: [], next_cursor: null } }),
    });
    renderScreen(<Today />);
    expect(await screen.findByText(/No active goals yet/)).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});
