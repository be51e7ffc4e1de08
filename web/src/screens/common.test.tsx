import { render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/problem";
import { loadSession } from "../auth/session";
import { ErrorPanel } from "../components/ErrorBoundary";
import { setLanguage } from "../i18n";
import { SESSION, stubFetch } from "../test/fetchStub";
import { renderScreen } from "../test/render";
import { LoadFailed } from "./common";
import NotFound from "./NotFound";

const GONE = new ApiError(404, { title: "Not Found", status: 404 });
const as = (roles: string[]) => stubFetch({ "GET /auth/session": () => ({ body: { ...SESSION, roles } }) });

afterEach(async () => {
  await setLanguage("en");
});

describe("the way back from a page that is not available", () => {
  it("takes a therapist to their caseload, not to a young person's Today", async () => {
    as(["therapist"]);
    renderScreen(<LoadFailed error={GONE} />);
    expect(await screen.findByRole("link", { name: "Back to your caseload" })).toHaveAttribute("href", "/");
    expect(screen.queryByText(/Today/)).not.toBeInTheDocument();
  });

  it("takes a supervisor to the service outcomes, in Welsh too", async () => {
    as(["supervisor"]);
    await setLanguage("cy");
    renderScreen(<NotFound />);
    expect(await screen.findByRole("link", { name: "Yn ôl i ganlyniadau'r gwasanaeth" })).toHaveAttribute("href", "/outcomes");
  });

  it("takes a young person back to Today", async () => {
    as(["client"]);
    renderScreen(<LoadFailed error={GONE} />);
    expect(await screen.findByRole("link", { name: "Back to Today" })).toHaveAttribute("href", "/");
  });

  it("from a screen that broke, takes a therapist to their caseload without mentioning Today", async () => {
    as(["therapist", "supervisor"]);
    await loadSession();
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    render(<ErrorPanel />);
    expect(screen.getByRole("link", { name: "Back to your caseload" })).toHaveAttribute("href", "/");
    expect(screen.getByRole("alert")).not.toHaveTextContent("Today");
  });
});
