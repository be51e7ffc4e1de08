import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderScreen } from "../test/render";
import Episodes from "./Episodes";
import { stubApi, THERAPIST, type Seen } from "./testing";

const EPISODE = "e0000000-0000-4000-8000-0000000000e1";
const SAM = "5a000000-0000-4000-8000-000000000001";
const JO = "70000000-0000-4000-8000-000000000003";
const episode = {
  episode_id: EPISODE,
  client_id: SAM,
  team_id: "d0000000-0000-4000-8000-000000000001",
  lead_therapist_id: THERAPIST.subject,
  status: "open",
  opened_at: "2026-11-01T09:00:00Z",
  closed_at: null,
  participants: [
    { person_id: SAM, role: "client", joined_at: "2026-11-01T09:00:00Z", relationship_code: null, display_name: null },
    { person_id: THERAPIST.subject, role: "therapist", joined_at: "2026-11-01T09:00:00Z", relationship_code: null, display_name: null },
    { person_id: JO, role: "family", joined_at: "2026-11-01T09:00:00Z", relationship_code: "parent", display_name: "Jo" },
  ],
};

let calls: Seen[];
beforeEach(() => {
  calls = stubApi({
    "GET /api/v1/episodes": () => ({ items: [episode], next_cursor: null }),
    [`GET /api/v1/reporting/clients/${SAM}/name`]: () => ({ client_id: SAM, display_name: "Sam" }),
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

  it("name each person in an episode, never by their id: the client by the name they prefer, a family member by theirs, the therapist as you", async () => {
    renderScreen(<Episodes />);
    const region = await screen.findByRole("region", { name: "Episode of Sam" });
    const table = within(region).getByRole("table", { name: "People in this episode" });
    expect(within(table).getAllByRole("rowheader").map((cell) => cell.textContent)).toEqual(["Sam", "You", "Jo"]);
    expect(within(table).getByRole("row", { name: /^Jo/ })).toHaveTextContent("Family (parent)");
    expect(within(table).getByRole("row", { name: /^You/ })).toHaveTextContent("Therapist");
    for (const id of [SAM, JO, THERAPIST.subject]) expect(document.body.textContent).not.toContain(id);
  });

  it("call a client with no preferred name yet by a short reference, and a family member given no name by their role", async () => {
    stubApi({
      "GET /api/v1/episodes": () => ({
        items: [{ ...episode, participants: episode.participants.map((p) => ({ ...p, display_name: null })) }],
        next_cursor: null,
      }),
      // The reporting service has not heard of the episode yet (or the client has no name): answered as 404.
      [`GET /api/v1/reporting/clients/${SAM}/name`]: () => Response.json({ title: "Not found", status: 404 }, { status: 404 }),
    });
    renderScreen(<Episodes />);
    const region = await screen.findByRole("region", { name: "Episode of client 000001 (name not added yet)" });
    const table = within(region).getByRole("table", { name: "People in this episode" });
    expect(within(table).getAllByRole("rowheader").map((cell) => cell.textContent)).toEqual(["The client", "You", "A family member"]);
    expect(document.body.textContent).not.toContain(SAM);
  });

  it("add a family member with their name and relationship and remove one by name, only family members being removable", async () => {
    const user = userEvent.setup();
    renderScreen(<Episodes />);
    const table = await screen.findByRole("table", { name: "People in this episode" });
    expect(within(table).getAllByRole("button")).toHaveLength(1);
    await user.type(screen.getByRole("textbox", { name: "Person ID" }), JO);
    await user.type(screen.getByRole("textbox", { name: "Their name (optional)" }), " Jo ");
    await user.click(screen.getByRole("button", { name: "Add to the episode" }));
    await waitFor(() => expect(calls.some((c) => c.path.endsWith("/participants"))).toBe(true));
    expect(calls.find((c) => c.path.endsWith("/participants"))!.body).toEqual({
      person_id: JO,
      relationship_code: "parent",
      display_name: "Jo",
    });
    await user.click(within(table).getByRole("button", { name: "Remove Jo from the episode" }));
    await waitFor(() => expect(calls.some((c) => c.method === "DELETE" && c.path.endsWith(`/participants/${JO}`))).toBe(true));
  });

  it("show a refused family member's name at its field", async () => {
    const user = userEvent.setup();
    stubApi({
      "GET /api/v1/episodes": () => ({ items: [episode], next_cursor: null }),
      [`POST /api/v1/episodes/${EPISODE}/participants`]: () =>
        Response.json(
          { title: "Invalid request", status: 422, errors: [{ field: "body.display_name", message: "One line, please" }] },
          { status: 422, headers: { "Content-Type": "application/problem+json" } },
        ),
    });
    renderScreen(<Episodes />);
    await user.type(await screen.findByRole("textbox", { name: "Person ID" }), JO);
    await user.type(screen.getByRole("textbox", { name: "Their name (optional)" }), "Jo");
    await user.click(screen.getByRole("button", { name: "Add to the episode" }));
    const field = screen.getByRole("textbox", { name: "Their name (optional)" });
    await waitFor(() => expect(field).toHaveAccessibleDescription("One line, please"));
  });
});
