import type { components } from "./schema";

/** RFC 9457 problem details as the API documents them. The document gives `errors` items no properties (so the
 * generated type says `never`); they carry `field` (or `loc`) and `message`, read defensively in fieldErrors. */
type Documented = components["schemas"]["Problem"];
export type Problem = {
  [K in "title" | "status"]: Documented[K];
} & {
  [K in "detail" | "field" | "instance" | "type"]?: Documented[K];
} & {
  errors?: Record<string, unknown>[];
  retryable?: boolean;
};

/** A non-2xx answer from the API, carrying its problem details. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.title);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }

  /** A conflict the server says is worth trying again (another service has not caught up yet). */
  get retryable(): boolean {
    return this.status === 409 && this.problem.retryable === true;
  }
}

const LOCATIONS = new Set(["body", "query", "path", "header"]);

/** A problem's field path in the form's own terms: "body.content.statement" and loc ["body","content","statement"]
 * both become "content.statement". */
function fieldPath(raw: unknown): string | null {
  const parts = Array.isArray(raw) ? raw.map(String) : typeof raw === "string" ? raw.split(".") : null;
  if (!parts || parts.length === 0) return null;
  const rest = LOCATIONS.has(parts[0] ?? "") ? parts.slice(1) : parts;
  return rest.length ? rest.join(".") : null;
}

/** Messages per field path, from `field` (with `detail`) and from each `errors[]` item (`field` or `loc`). */
export function fieldErrors(problem: Problem): Record<string, string> {
  const found: Record<string, string> = {};
  for (const item of problem.errors ?? []) {
    const entry = item as { field?: unknown; loc?: unknown; message?: unknown; msg?: unknown };
    const path = fieldPath(entry.field ?? entry.loc);
    const message = entry.message ?? entry.msg;
    if (path && !(path in found)) found[path] = typeof message === "string" ? message : problem.title;
  }
  const top = fieldPath(problem.field);
  if (top && !(top in found)) found[top] = problem.detail ?? problem.title;
  return found;
}

/** The message for a form field named `name`: an exact path, or a path ending in it ("content.statement" for
 * "statement"); the form's fields are named by their last segments. */
export function errorFor(errors: Record<string, string>, name: string): string | undefined {
  if (name in errors) return errors[name];
  const key = Object.keys(errors).find((path) => path.endsWith(`.${name}`));
  return key === undefined ? undefined : errors[key];
}

/** Problems not tied to any of `names`: shown at the top of the form. */
export function otherErrors(errors: Record<string, string>, names: readonly string[]): string[] {
  return Object.entries(errors)
    .filter(([path]) => !names.some((n) => path === n || path.endsWith(`.${n}`)))
    .map(([, message]) => message);
}

/** The server says this is not (or no longer) the person's to see: whatever was kept of it must not be shown. */
export function isGone(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 403 || error.status === 404);
}
