import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { stubApi } from "../clinician/testing";
import { setLanguage } from "../i18n";
import { renderScreen } from "../test/render";
import ConfirmEmail from "./ConfirmEmail";

const SAM = { subject: "s", roles: ["client"], tenant_id: "t", name: "Sam", csrf_token: "c" };
const EMAIL = { id: "p1", email: "sam@example.org", created_at: "2026-01-01T00:00:00Z", active: true, confirmed: true };

function problem(status: number, reason: string) {
  return () =>
    Response.json(
      { title: "Confirmation link", status, field: "token", reason },
      { status, headers: { "Content-Type": "application/problem+json" } },
    );
}

function open(token: string | null) {
  renderScreen(<ConfirmEmail />, { path: token === null ? "/confirm-email" : `/confirm-email?token=${token}`, pattern: "/confirm-email" });
}

afterEach(async () => {
  vi.unstubAllGlobals();
  await setLanguage("en");
});

describe("following the link in a confirmation e-mail", () => {
  it("sends the link's token once and says the address is confirmed", async () => {
    const calls = stubApi({ "POST /api/v1/notifications/email-confirmations": () => EMAIL }, SAM);
    open("tok-123456789012345678901");
    expect(await screen.findByRole("status")).toHaveTextContent("sam@example.org is confirmed");
    const posts = calls.filter((c) => c.method === "POST");
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ token: "tok-123456789012345678901" });
  });

  it("says plainly when the link was used already", async () => {
    stubApi({ "POST /api/v1/notifications/email-confirmations": problem(410, "used") }, SAM);
    open("tok-123456789012345678901");
    expect(await screen.findByRole("alert")).toHaveTextContent("This link has already been used.");
  });

  it("says plainly when the link has expired, and offers the way to Settings for a new one", async () => {
    stubApi({ "POST /api/v1/notifications/email-confirmations": problem(410, "expired") }, SAM);
    open("tok-123456789012345678901");
    expect(await screen.findByRole("alert")).toHaveTextContent("This link has expired.");
    expect(screen.getByRole("link", { name: "Go to Settings" })).toHaveAttribute("href", "/settings");
  });

  it("says the link is not theirs when another person is signed in", async () => {
    stubApi({ "POST /api/v1/notifications/email-confirmations": problem(404, "unknown") }, SAM);
    open("tok-123456789012345678901");
    expect(await screen.findByRole("alert")).toHaveTextContent("This link isn't one we sent to you.");
  });

  it("sends nothing for a link without a token", async () => {
    const calls = stubApi({}, SAM);
    open(null);
    expect(await screen.findByRole("alert")).toHaveTextContent("This link is incomplete.");
    expect(calls.filter((c) => c.method === "POST")).toEqual([]);
  });

  it("speaks Welsh to a Welsh reader", async () => {
    await setLanguage("cy");
    stubApi({ "POST /api/v1/notifications/email-confirmations": problem(410, "expired") }, SAM);
    open("tok-123456789012345678901");
    expect(await screen.findByRole("alert")).toHaveTextContent("Mae'r ddolen hon wedi dod i ben.");
  });
});
