import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Preferences } from "../api/types";
import { stubApi, THERAPIST, type Seen } from "../clinician/testing";
import { setLanguage } from "../i18n";
import { renderScreen } from "../test/render";
import Settings from "./Settings";

const SAVED: Preferences = {
  locale: "en",
  time_zone: "Europe/London",
  channels: ["email"],
  quiet_hours: null,
  clinician_delivery: "immediate",
};

function stubPreferences(session: object, put: (seen: Seen) => unknown = (seen) => seen.body): Seen[] {
  return stubApi(
    {
      "GET /api/v1/notifications/preferences": () => SAVED,
      "PUT /api/v1/notifications/preferences": put,
      "GET /api/v1/notifications/contact-points": () => ({ items: [] }),
    },
    session,
  );
}

afterEach(async () => {
  vi.unstubAllGlobals();
  await setLanguage("en");
});

describe("the settings screen's delivery of updates", () => {
  it("lets a therapist choose a daily digest and saves it through the preferences API", async () => {
    const user = userEvent.setup();
    const calls = stubPreferences(THERAPIST);
    renderScreen(<Settings />);
    const group = await screen.findByRole("group", { name: "Updates about your clients" });
    expect(within(group).getByRole("radio", { name: "As each one happens" })).toBeChecked();
    expect(group).toHaveAccessibleDescription(/Safety signals always reach you straight away/);
    await user.click(within(group).getByRole("radio", { name: "Together in one daily digest" }));
    await user.click(screen.getByRole("button", { name: "Save settings" }));
    await screen.findByText("Settings saved.");
    const sent = calls.find((c) => c.method === "PUT")!;
    expect(sent.body).toMatchObject({ clinician_delivery: "digest", locale: "en", channels: ["email"] });
  });

  it("shows the service's refusal of the delivery choice next to the choice", async () => {
    const user = userEvent.setup();
    stubPreferences({ ...THERAPIST, roles: ["supervisor"] }, () =>
      Response.json(
        {
          title: "Invalid request",
          status: 422,
          errors: [{ field: "clinician_delivery", message: "Input should be 'immediate' or 'digest'" }],
        },
        { status: 422, headers: { "Content-Type": "application/problem+json" } },
      ),
    );
    renderScreen(<Settings />);
    const group = await screen.findByRole("group", { name: "Updates about your clients" });
    await user.click(screen.getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(within(group).getByRole("alert")).toHaveTextContent("Input should be 'immediate' or 'digest'"));
    expect(group).toHaveAccessibleDescription(/Input should be 'immediate' or 'digest'/);
  });

  it("is not offered to a young person, whose saved choice is sent back unchanged", async () => {
    const user = userEvent.setup();
    const calls = stubPreferences({ ...THERAPIST, roles: ["client"] });
    renderScreen(<Settings />);
    await screen.findByRole("group", { name: "Language" });
    expect(screen.queryByRole("group", { name: "Updates about your clients" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Save settings" }));
    await screen.findByText("Settings saved.");
    expect(calls.find((c) => c.method === "PUT")!.body).toMatchObject({ clinician_delivery: "immediate" });
  });

  it("is offered in Welsh to a therapist who reads Welsh", async () => {
    stubPreferences(THERAPIST);
    await setLanguage("cy");
    renderScreen(<Settings />);
    const group = await screen.findByRole("group", { name: "Diweddariadau am eich cleientiaid" });
    expect(within(group).getByRole("radio", { name: "Gyda'i gilydd mewn un crynodeb dyddiol" })).toBeInTheDocument();
  });
});

describe("the settings screen's e-mail addresses", () => {
  const WAITING = { id: "p1", email: "sam@example.org", created_at: "2026-01-01T00:00:00Z", active: true, confirmed: false };

  it("shows an unconfirmed address as waiting and sends its link again on request", async () => {
    const user = userEvent.setup();
    const calls = stubApi(
      {
        "GET /api/v1/notifications/preferences": () => SAVED,
        "GET /api/v1/notifications/contact-points": () => ({ items: [WAITING] }),
        "POST /api/v1/notifications/contact-points/p1/confirmation-link": () => WAITING,
      },
      { ...THERAPIST, roles: ["client"] },
    );
    renderScreen(<Settings />);
    expect(await screen.findByText(/Waiting for you to confirm/)).toBeVisible();
    await user.click(screen.getByRole("button", { name: "Send the link to sam@example.org again" }));
    await screen.findByText(/We've sent a link to sam@example.org/);
    expect(calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual([
      "/api/v1/notifications/contact-points/p1/confirmation-link",
    ]);
  });

  it("shows a confirmed address without the waiting note", async () => {
    stubApi(
      {
        "GET /api/v1/notifications/preferences": () => SAVED,
        "GET /api/v1/notifications/contact-points": () => ({ items: [{ ...WAITING, confirmed: true }] }),
      },
      { ...THERAPIST, roles: ["client"] },
    );
    renderScreen(<Settings />);
    await screen.findByRole("button", { name: "Remove sam@example.org" });
    expect(screen.queryByText(/Waiting for you to confirm/)).toBeNull();
    expect(screen.queryByRole("button", { name: /Send the link/ })).toBeNull();
  });
});
