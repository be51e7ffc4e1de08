import { screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderScreen } from "../test/render";
import ClientReport from "./ClientReport";
import { REPORT, REPORT_CLIENT } from "./reportFixture";
import { stubApi } from "./testing";

beforeEach(() => {
  stubApi({ [`GET /api/v1/reporting/clients/${REPORT_CLIENT}/report`]: () => REPORT });
});
afterEach(() => vi.unstubAllGlobals());

describe("a client's report", () => {
  it("draws each goal's progress with the numbers in a table beside it, and why a review is suggested", async () => {
    renderScreen(<ClientReport />, { path: `/clients/${REPORT_CLIENT}`, pattern: "/clients/:clientId" });
    const chart = await screen.findByRole("img", { name: /3 values, latest 5/ });
    expect(chart.querySelectorAll("circle")).toHaveLength(3);
    expect(chart.querySelector(".target")).toHaveTextContent("Target");
    const entries = screen.getByRole("table", { name: "Values recorded for this goal" });
    expect(within(entries).getAllByRole("row").slice(1).map((r) => within(r).getAllByRole("cell")[0]!.textContent)).toEqual([
      "2",
      "4",
      "5",
    ]);
    expect(screen.getByText("no_progress_for_28_days")).toBeInTheDocument();
    const agreement = screen.getByRole("table", { name: "Each step of this goal's agreement" });
    expect(within(agreement).getByText("agree")).toBeInTheDocument();
  });

  it("lists the questionnaires with their bands and offers the FHIR export of the same client", async () => {
    renderScreen(<ClientReport />, { path: `/clients/${REPORT_CLIENT}`, pattern: "/clients/:clientId" });
    const scores = await screen.findByRole("table", { name: /severity band/ });
    expect(within(scores).getByText("moderately_severe")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Download the FHIR export" })).toHaveAttribute(
      "href",
      `/api/v1/reporting/clients/${REPORT_CLIENT}/fhir`,
    );
    expect(screen.getByRole("heading", { name: "Safety signals" })).toBeInTheDocument();
  });
});
