import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Questionnaires } from "./Questionnaires";
import { REPORT } from "./reportFixture";

function chart(name: RegExp) {
  return screen.getByRole("img", { name }).closest("figure")!;
}

describe("the PHQ-9 and GAD-7 history", () => {
  it("draws each instrument's severity bands behind its scores, named, in the instrument's order", () => {
    render(<Questionnaires scores={REPORT.questionnaires} />);
    const phq = chart(/^PHQ-9 chart: 2 scores, latest 9 \(Mild\)/);
    expect([...phq.querySelectorAll("[data-band]")].map((b) => b.textContent)).toEqual([
      "Minimal0",
      "Mild5",
      "Moderate10",
      "Moderately severe15",
      "Severe20",
    ]);
    const gad = chart(/^GAD-7 chart: 3 scores, latest 16 \(Severe\)/);
    expect([...gad.querySelectorAll("[data-band]")].map((b) => b.getAttribute("data-band"))).toEqual(["minimal", "mild", "moderate", "severe"]);
  });

  it("draws the caseness line at the threshold the service sent and says it in words", () => {
    render(<Questionnaires scores={REPORT.questionnaires} />);
    const phq = chart(/^PHQ-9 chart/);
    const line = phq.querySelector(".caseness line")!;
    // 0–27 over the plot's 10–200: a score of 10 sits at 200 − 10/27·190.
    expect(Number(line.getAttribute("y1"))).toBeCloseTo(200 - (10 / 27) * 190);
    expect(within(phq).getByText("Caseness (10)")).toBeInTheDocument();
    expect(within(chart(/^GAD-7 chart/)).getByText(/a score of 8 or more; a change of 4 or more/)).toBeInTheDocument();
  });

  it("marks reliable improvement and deterioration where the service judged them, with a word as well as a shape", () => {
    render(<Questionnaires scores={REPORT.questionnaires} />);
    const phq = chart(/^PHQ-9 chart/);
    expect([...phq.querySelectorAll(".reliable-improvement[data-response]")].map((m) => m.getAttribute("data-response"))).toEqual(["r2"]);
    expect(phq.querySelector(".reliable-deterioration[data-response]")).toBeNull();
    const gad = chart(/^GAD-7 chart/);
    // g2 changed by 2, which the service called no reliable change: a plain point, no marker.
    expect([...gad.querySelectorAll("[data-response]")].map((m) => [m.getAttribute("data-response"), m.textContent])).toEqual([["g3", "Worse"]]);
    expect(gad.querySelectorAll("circle.point")).toHaveLength(2);
  });

  it("gives every number of the charts in a table with headers", () => {
    render(<Questionnaires scores={REPORT.questionnaires} />);
    const table = screen.getByRole("table", { name: /severity band/ });
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "Date",
      "Questionnaire",
      "Score",
      "Severity band",
      "Change from the first",
      "Reliable change",
    ]);
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("cell").map((c) => c.textContent))).toEqual([
      ["PHQ-9", "18", "Moderately severe", "First score", "—"],
      ["PHQ-9", "9", "Mild", "-9", "Reliable improvement"],
      ["GAD-7", "11", "Moderate", "First score", "—"],
      ["GAD-7", "13", "Moderate", "+2", "No reliable change"],
      ["GAD-7", "16", "Severe", "+5", "Reliable deterioration"],
    ]);
  });

  it("draws no chart for an instrument with no scores", () => {
    render(<Questionnaires scores={REPORT.questionnaires.filter((q) => q.instrument === "GAD-7")} />);
    expect(screen.queryByRole("img", { name: /PHQ-9/ })).toBeNull();
    expect(screen.getByRole("img", { name: /^GAD-7 chart/ })).toBeInTheDocument();
  });
});
