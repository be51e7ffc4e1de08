import { describe, expect, it } from "vitest";
import { errorFor, fieldErrors, otherErrors } from "./problem";

describe("problem+json field mapping", () => {
  it("maps each validation error's field path to the form's field, without the request location", () => {
    const errors = fieldErrors({
      title: "Invalid request",
      status: 422,
      errors: [
        { field: "body.content.statement", message: "String should have at least 1 character", type: "string_too_short" },
        { field: "body.content.milestones.0.threshold", message: "a threshold milestone needs a threshold" },
      ],
    });
    expect(errors).toEqual({
      "content.statement": "String should have at least 1 character",
      "content.milestones.0.threshold": "a threshold milestone needs a threshold",
    });
    expect(errorFor(errors, "statement")).toBe("String should have at least 1 character");
    expect(errorFor(errors, "milestones.0.threshold")).toBe("a threshold milestone needs a threshold");
    expect(errorFor(errors, "confidence")).toBeUndefined();
  });

  it("reads FastAPI's loc arrays too", () => {
    const errors = fieldErrors({ title: "Invalid", status: 422, errors: [{ loc: ["body", "mood"], msg: "too high" }] });
    expect(errorFor(errors, "mood")).toBe("too high");
  });

  it("puts a problem's single field next to that field with its detail", () => {
    const errors = fieldErrors({ title: "Due date passed", status: 422, field: "due_date", detail: "Choose a date in the future" });
    expect(errorFor(errors, "due_date")).toBe("Choose a date in the future");
  });

  it("keeps problems about fields the form does not show for the top of the form", () => {
    const errors = fieldErrors({ title: "Precondition", status: 428, field: "If-Match", detail: "Send If-Match" });
    expect(otherErrors(errors, ["statement"])).toEqual(["Send If-Match"]);
    expect(otherErrors(errors, ["If-Match"])).toEqual([]);
  });
});
