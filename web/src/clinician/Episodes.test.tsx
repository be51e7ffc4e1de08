import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderScreen } from "../test/render";
import Episodes from "./Episodes";
import { stubApi, type Seen } from "./testing";

const EPISODE = "e0000000-0000-4000-8000-0000000000e1";
const SAM = "5a000000-0000-4000-8000-000000000001";
const JO = "70000000-0000-4000-8000-000000000003";
const episode = {
  episode_id: EPISODE,
  client_id: SAM,
  team_id: "d0000000-0000-4000-8000-000000000001",
  lead_therapist_id: "a1000000-0000-4000-8000-000000000002",
  status: "open",
  opened_at: "2026-11-01T09:00:00Z",
  closed_at: null,
  participants: [
    { person_id: SAM, role: "client", joined_at: "2026-11-01T09:00:00Z", relationship_code: null },
    { person_id: JO, role: "family", joined_at: "2026-11-01T09:00:00Z", relationship_code: "parent" },
  ],
};

let calls: Seen[];
beforeEach(() => {
  calls = stubApi({
    "GET /api/v1/episodes": () => ({ items: [episode], next_cursor: null }),
    "POST /api/v1/episodes": () =>
      Response.json(
        { title: "Invalid request", status: 422, errors: [{ loc: ["body", "client_id"], message: "Not a valid id" }] },
        { status: 422, headers: { "Content-Type": "application/problem+json" } },
      ),
    [`POST /api/v1/episodes/${EPISODE}/participants`]: () => episode,
    [`DELETE /api/v1/episodes/${EPISODE}/participants/${JO}`]: () => episode,
  });
});
afterEach(() => vi.unstubAllGlobals());

describe("care episodes", () => {
  it("show the service's refusal at the field it names when opening an episode", async () => {
    const user = userEvent.setup();
    renderScreen(<Episodes />);
    await user.type(screen.getByRole("textbox", { name: "Client ID" }), "not-an-id");
    await user.click(screen.getByRole("button", { name: "Open the episode" }));
    const field = screen.getByRole("textbox", { name: "Client ID" });
    await waitFor(() => expect(field).toHaveAttribute("aria-invalid", "true"));
    expect(field).toHaveAccessibleDescription("Not a valid id");
    const sent = calls.find((c) => c.method === "POST" && c.path === "/api/v1/episodes")!;
    expect(sent.body).toMatchObject({ client_id: "not-an-id", team_id: "" });
  });

  it("add a family member with their relationship and remove one, only family members being removable", async () => {
    const user = userEvent.setup();
    renderScreen(<Episodes />);
    const table = await screen.findByRole("table", { name: "People in this episode" });
    expect(within(table).getAllByRole("button", { name: "Remove from the episode" })).toHaveLength(1);
    await user.type(screen.getByRole("textbox", { name: "Person ID" }), JO);
    await user.click(screen.getByRole("button", { name: "Add to the episode" }));
    await waitFor(() => expect(calls.some((c) => c.path.endsWith("/participants"))).toBe(true));
    expect(calls.find((c) => c.path.endsWith("/participants"))!.body).toEqual({ person_id: JO, relationship_code: "parent" });
    await user.click(within(table).getByRole("button", { name: "Remove from the episode" }));
    await waitFor(() => expect(calls.some((c) => c.method === "DELETE" && c.path.endsWith(`/participants/${JO}`))).toBe(true));
  });
});
