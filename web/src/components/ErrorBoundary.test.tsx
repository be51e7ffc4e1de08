import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ErrorBoundary } from "./ErrorBoundary";

function Broken(): never {
  throw new Error("a screen that cannot draw");
}

describe("the error boundary", () => {
  it("shows a kind message with the way back to Today instead of a blank page when a screen throws", () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined); // React reports the caught error
    const { container } = render(
      <ErrorBoundary>
        <Broken />
      </ErrorBoundary>,
    );
    expect(screen.getByRole("alert")).toHaveTextContent("Sorry, this page didn't load");
    expect(screen.getByRole("link", { name: "Back to Today" })).toHaveAttribute("href", "/");
    expect(container).not.toBeEmptyDOMElement();
  });
});
