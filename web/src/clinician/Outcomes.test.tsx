import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderScreen } from "../test/render";
import Outcomes from "./Outcomes";
import { stubApi, type Seen } from "./testing";

const TEAM = "7e7e7e7e-0000-4000-8000-000000000001";
let calls: Seen[];
beforeEach(() => {
  calls = stubApi({
    // The supervisor supervises two teams; the test asks for the second.
    "GET /api/v1/reporting/teams": () => ({ team_ids: ["11111111-0000-4000-8000-000000000001", TEAM] }),
    "GET /api/v1/reporting/outcomes": () => ({
      team_id: TEAM,
      first_day: "2026-09-01",
      last_day: "2026-11-30",
      suppression_threshold: 5,
      metrics: [
        { name: "goals_agreed", unit: "count", value: 42, clients: 12, suppressed: false },
        { name: "gbo_reliable_improvement", unit: "share", value: 0.5, clients: 10, suppressed: false },
        { name: "recovery", unit: "share", value: null, clients: null, suppressed: true },
      ],
    }),
  });
});
afterEach(() => vi.unstubAllGlobals());

async function ask() {
  const user = userEvent.setup();
  renderScreen(<Outcomes />);
  const team = screen.getByRole("combobox", { name: "Team ID" });
  await waitFor(() => expect(team).toHaveValue("11111111-0000-4000-8000-000000000001")); // the first of theirs
  await user.clear(team);
  await user.type(team, TEAM);
  await user.click(screen.getByRole("button", { name: "Show outcomes" }));
  return screen.findByRole("table", { name: /Outcomes from 1 September 2026 to 30 November 2026/ });
}

describe("service outcomes", () => {
  it("ask for the team and dates chosen and show each measure as the service computed it", async () => {
    const table = await ask();
    const query = calls.find((c) => c.path === "/api/v1/reporting/outcomes")!.query;
    expect(query.get("team_id")).toBe(TEAM);
    expect(query.get("from")).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const agreed = within(table).getByRole("rowheader", { name: "Goals agreed" }).closest("tr")!;
    expect(within(agreed).getAllByRole("cell").map((c) => c.textContent)).toEqual(["42", "12"]);
    const gbo = within(table).getByRole("rowheader", { name: /reliable improvement/ }).closest("tr")!;
    expect(within(gbo).getAllByRole("cell")[0]).toHaveTextContent("50%");
  });

  it("show a suppressed measure as suppressed, never as zero", async () => {
    const table = await ask();
    const recovery = within(table).getByRole("rowheader", { name: "PHQ-9 / GAD-7: recovery" }).closest("tr")!;
    const cells = within(recovery).getAllByRole("cell");
    for (const cell of cells) {
      expect(cell).toHaveTextContent("Suppressed (fewer than 5 clients in the period or in one of its months)");
      expect(cell.textContent).not.toMatch(/\d+%|^0$/);
    }
  });

  it("offer the same period as a CSV download and draw the shares with a text alternative", async () => {
    await ask();
    const link = screen.getByRole("link", { name: "Download as CSV" });
    const href = new URL(link.getAttribute("href")!, "http://localhost");
    expect(href.pathname).toBe("/api/v1/reporting/outcomes.csv");
    expect(href.searchParams.get("team_id")).toBe(TEAM);
    const chart = screen.getByRole("img", { name: /bar chart/ });
    expect(chart.querySelectorAll("rect")).toHaveLength(1); // the suppressed share is not drawn
  });
});
