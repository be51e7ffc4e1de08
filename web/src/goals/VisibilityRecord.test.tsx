import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { stubApi } from "../clinician/testing";
import { setLanguage } from "../i18n";
import { renderScreen } from "../test/render";
import { VisibilityRecord } from "./VisibilityRecord";

const SAM = { subject: "5a000000-0000-4000-8000-000000000001", roles: ["client"], tenant_id: "t", name: "Sam", csrf_token: "c" };
const MUM = "70000000-0000-4000-8000-000000000003";
const GOAL = "90000000-0000-4000-8000-000000000001";
const NAMES: Record<string, string> = { [MUM]: "Mum" };

afterEach(async () => {
  vi.unstubAllGlobals();
  await setLanguage("en");
});

describe("the record of who may see a goal", () => {
  it("lists each change, newest first, with who allowed it, whom and when", async () => {
    const user = userEvent.setup();
    stubApi(
      {
        [`GET /api/v1/goals/${GOAL}/visibility-changes`]: () => ({
          items: [
            { changed_at: "2026-03-05T12:00:00Z", changed_by: "a1000000-0000-4000-8000-000000000002", visibility: "shared", shared_with: [MUM], cause: "proposed" },
            { changed_at: "2026-04-01T12:00:00Z", changed_by: SAM.subject, visibility: "private", shared_with: [], cause: "made private" },
          ],
        }),
      },
      SAM,
    );
    renderScreen(<VisibilityRecord goalId={GOAL} nameOf={(id) => NAMES[id] ?? "someone"} />);
    await user.click(await screen.findByText("Who you've let see this goal, and when"));
    const items = screen.getAllByRole("listitem").map((li) => li.textContent);
    expect(items).toEqual([
      "1 April 2026: you made this goal private.",
      "5 March 2026: your care team let Mum see this goal.",
    ]);
  });

  it("shows nothing while nothing has changed", async () => {
    stubApi({ [`GET /api/v1/goals/${GOAL}/visibility-changes`]: () => ({ items: [] }) }, SAM);
    const { container } = renderScreen(<VisibilityRecord goalId={GOAL} nameOf={() => "x"} />);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(container.querySelector("details")).toBeNull();
  });
});
