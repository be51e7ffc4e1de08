import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { components } from "../api/schema";
import { renderScreen } from "../test/render";
import { Questionnaires } from "./Questionnaires";
import { REPORT } from "./reportFixture";

const GAD7: components["schemas"]["QuestionnaireScore"][] = [
  { response_id: "g1", instrument: "GAD-7", total: 6, severity: "mild", at: "2026-10-01T09:00:00Z", change_from_first: null, reliable_change: null },
  { response_id: "g2", instrument: "GAD-7", total: 13, severity: "moderate", at: "2026-11-01T09:00:00Z", change_from_first: 7, reliable_change: "deterioration" },
];

describe("the questionnaire charts", () => {
  it("draws one chart per instrument with its severity bands named and the caseness line", () => {
    renderScreen(<Questionnaires scores={[...REPORT.questionnaires, ...GAD7]} />);
    const phq9 = screen.getByRole("img", { name: /PHQ-9 chart: 2 scores, latest 9 \(Mild\)/ });
    const gad7 = screen.getByRole("img", { name: /GAD-7 chart: 2 scores, latest 13 \(Moderate\)/ });
    expect(phq9.querySelectorAll("[data-band]")).toHaveLength(5);
    expect(gad7.querySelectorAll("[data-band]")).toHaveLength(4);
    expect(within(phq9).getByText("Moderately severe")).toBeInTheDocument();
    expect(within(phq9).getByText("Caseness threshold (10 and above)")).toBeInTheDocument();
    expect(within(gad7).getByText("Caseness threshold (8 and above)")).toBeInTheDocument();
  });

  it("marks a reliable change the service found with its name, not by colour alone", () => {
    renderScreen(<Questionnaires scores={[...REPORT.questionnaires, ...GAD7]} />);
    const phq9 = screen.getByRole("img", { name: /PHQ-9 chart/ });
    const gad7 = screen.getByRole("img", { name: /GAD-7 chart/ });
    expect(within(phq9).getByText("Reliable improvement")).toBeInTheDocument();
    expect(phq9.querySelectorAll(".point.reliable")).toHaveLength(1);
    expect(within(gad7).getByText("Reliable deterioration")).toBeInTheDocument();
    expect(within(gad7).queryByText("Reliable improvement")).toBeNull();
  });

  it("keeps the numbers in a table as the charts' text alternative", () => {
    renderScreen(<Questionnaires scores={[...REPORT.questionnaires, ...GAD7]} />);
    const table = screen.getByRole("table", { name: "Questionnaire scores with their severity band" });
    expect(within(table).getAllByRole("row")).toHaveLength(5);
    expect(within(table).getByRole("cell", { name: "13" })).toBeInTheDocument();
  });

  it("draws no chart for an instrument it has no scale for", () => {
    renderScreen(
      <Questionnaires scores={[{ ...GAD7[0]!, instrument: "CORE-10", response_id: "c1" }]} />,
    );
    expect(screen.queryByRole("img")).toBeNull();
    expect(screen.getByRole("table")).toBeInTheDocument();
  });
});
