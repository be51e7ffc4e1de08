import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { erasureOf } from "../clinician/rightsFixture";
import { stubApi } from "../clinician/testing";
import { setLanguage } from "../i18n";
import { renderScreen } from "../test/render";
import { AskForErasure } from "./AskForErasure";

const SAM = { subject: "11111111-1111-1111-1111-111111111111", roles: ["client"], tenant_id: "t", name: "Sam", csrf_token: "c" };
const REQUEST_ID = "e5000000-0000-4000-8000-000000000001";
const OLDER = "e5000000-0000-4000-8000-000000000002";
const THERAPIST = "8d3c7f0e-0000-4000-8000-000000000002";

afterEach(async () => {
  vi.unstubAllGlobals();
  await setLanguage("en");
});

function mine(changes: Parameters<typeof erasureOf>[3] = {}, id = REQUEST_ID) {
  return erasureOf(SAM.subject, id, SAM.subject, { reference: null, roles: ["client"], ...changes });
}

describe("asking for my data to be erased", () => {
  it("says plainly what would happen, sends nothing until the young person says yes, then shows the request waiting", async () => {
    const user = userEvent.setup();
    let sent = false;
    const calls = stubApi(
      {
        "GET /api/v1/goals/erasure-requests": ({ query }) => {
          expect(query.get("client_id")).toBe(SAM.subject);
          return { items: sent ? [mine()] : [] };
        },
        "POST /api/v1/goals/erasure-requests": () => {
          sent = true;
          return Response.json(mine(), { status: 202 });
        },
      },
      SAM,
    );
    renderScreen(<AskForErasure clientId={SAM.subject} />);
    const part = within(screen.getByRole("region", { name: "Asking for your data to be erased" }));
    const happens = within(part.getByRole("list", { name: /If your service agrees/ }));
    expect(happens.getByText(/kept for a set time, so they are not deleted, but they are hidden/)).toBeVisible();
    expect(happens.getByText(/messages, settings and email addresses, are erased/)).toBeVisible();
    expect(happens.getByText(/Someone at your service .* decides/)).toBeVisible();
    expect(part.getByText(/asking doesn't make everything disappear/)).toBeVisible();

    await user.click(await part.findByRole("button", { name: "Ask for my data to be erased" }));
    const confirm = within(part.getByRole("group", { name: "Send your request?" }));
    await user.click(confirm.getByRole("button", { name: "Not now" }));
    expect(part.queryByRole("group")).toBeNull();
    expect(calls.filter((c) => c.method === "POST")).toEqual([]);

    await user.click(part.getByRole("button", { name: "Ask for my data to be erased" }));
    await user.click(part.getByRole("button", { name: "Yes, send my request" }));
    expect(await part.findByRole("status")).toHaveTextContent("Thanks, your request has been sent.");
    const yours = within(await part.findByRole("list", { name: "Your requests" }));
    expect(yours.getByRole("listitem")).toHaveTextContent(/^Asked on 27 November 2026: your service hasn't decided yet\.$/);
    expect(part.queryByRole("button", { name: "Ask for my data to be erased" })).toBeNull(); // one waiting at a time
    expect(calls.filter((c) => c.method === "POST").map((c) => c.body)).toEqual([{ client_id: SAM.subject }]);
  });

  it("shows where each request about them stands, one recorded by staff too, and offers asking again once decided", async () => {
    stubApi(
      {
        "GET /api/v1/goals/erasure-requests": () => ({
          items: [
            mine({ decision: "refused" }),
            erasureOf(SAM.subject, OLDER, THERAPIST, { decision: "approved", applied: 4, lifted_at: "2026-11-29T10:00:00Z" }),
          ],
        }),
      },
      SAM,
    );
    renderScreen(<AskForErasure clientId={SAM.subject} />);
    const yours = within(await screen.findByRole("list", { name: "Your requests" }));
    expect(yours.getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "Asked on 27 November 2026: on 28 November 2026 your service decided not to go ahead. Your therapist can talk to you about why.",
      "Asked on 27 November 2026: your service agreed, then on 29 November 2026 made your health records visible again. What was erased stays erased.",
    ]);
    expect(screen.getByRole("button", { name: "Ask for my data to be erased" })).toBeEnabled();
  });

  it("speaks Welsh to a Welsh speaker, an approved request included", async () => {
    await setLanguage("cy");
    stubApi({ "GET /api/v1/goals/erasure-requests": () => ({ items: [mine({ decision: "approved", applied: 2 })] }) }, SAM);
    renderScreen(<AskForErasure clientId={SAM.subject} />);
    expect(screen.getByRole("region", { name: "Gofyn i'ch data gael ei ddileu" })).toBeVisible();
    const yours = within(await screen.findByRole("list", { name: "Eich ceisiadau" }));
    expect(yours.getByRole("listitem")).toHaveTextContent(/^Gofynnwyd ar 27 .* 2026: cytunodd eich gwasanaeth ar 28 .* 2026\./);
  });

  it("says so kindly when sending fails, and keeps the choice to try again", async () => {
    const user = userEvent.setup();
    stubApi(
      {
        "GET /api/v1/goals/erasure-requests": () => ({ items: [] }),
        "POST /api/v1/goals/erasure-requests": () => Response.json({ title: "Unavailable", status: 503 }, { status: 503 }),
      },
      SAM,
    );
    renderScreen(<AskForErasure clientId={SAM.subject} />);
    await user.click(await screen.findByRole("button", { name: "Ask for my data to be erased" }));
    await user.click(screen.getByRole("button", { name: "Yes, send my request" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Something went wrong. Please try again.");
    expect(screen.getByRole("button", { name: "Yes, send my request" })).toBeEnabled();
  });

  it("shows the young person's older requests when they ask for more, in Welsh too", async () => {
    await setLanguage("cy");
    const user = userEvent.setup();
    stubApi(
      {
        "GET /api/v1/goals/erasure-requests": ({ query }) =>
          query.get("cursor") === "more"
            ? { items: [mine({ decision: "refused", requested_at: "2026-10-01T09:00:00Z" }, OLDER)], next_cursor: null }
            : { items: [mine({ decision: "refused" })], next_cursor: "more" },
      },
      SAM,
    );
    renderScreen(<AskForErasure clientId={SAM.subject} />);
    const more = await screen.findByRole("button", { name: "Dangos rhagor o geisiadau" });
    const list = screen.getAllByRole("list").at(-1)!;
    expect(within(list).getAllByRole("listitem")).toHaveLength(1);

    await user.click(more);

    expect(await screen.findByText("2 yn cael eu dangos")).toBeInTheDocument();
    expect(within(list).getAllByRole("listitem")).toHaveLength(2);
    expect(screen.queryByRole("button", { name: "Dangos rhagor o geisiadau" })).toBeNull();
  });
});
