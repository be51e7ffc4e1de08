import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import type { BatchItem, BatchResult } from "../api/types";
import { dismiss, enqueueEntry, flush, queued, type Transport } from "../offline/queue";
import { QueueStatus } from "./QueueStatus";

const OWNER = "8d3c7f0e-0000-4000-8000-00000000000a";
const REFUSED = "00000000-0000-4000-8000-0000000000a1";
const TAKEN = "00000000-0000-4000-8000-0000000000a2";

/** The progress service refusing one entry of a batch (a value off the goal's scale) and taking the other. */
const server: Transport = {
  async sendEntries(items: BatchItem[]): Promise<BatchResult[]> {
    return items.map((item) =>
      item.entry_id === REFUSED
        ? { entry_id: REFUSED, status: "rejected", problem: { status: 422, title: "Invalid", detail: "11 is above this goal's scale (0 to 10)" } }
        : { entry_id: item.entry_id!, status: "created" },
    );
  },
  async sendCheckIn() {},
};

function entry(id: string, value: number) {
  return { entry_id: id, goal_id: "90000000-0000-4000-8000-000000000001", kind: "rating" as const, value, occurred_at: "2026-11-27T10:00:00Z" };
}

beforeEach(async () => {
  for (const item of await queued(OWNER)) await dismiss(item.id);
});

describe("what the queue shows the person", () => {
  it("shows an entry the server refused with the server's reason until the person dismisses it", async () => {
    await enqueueEntry(OWNER, entry(REFUSED, 11));
    await enqueueEntry(OWNER, entry(TAKEN, 5));
    await flush(server, OWNER);
    render(<QueueStatus owner={OWNER} />);

    const refusal = await screen.findByRole("alert");
    expect(refusal).toHaveTextContent("This couldn't be saved.");
    expect(refusal).toHaveTextContent("11 is above this goal's scale (0 to 10)");
    expect(screen.queryByText(/Waiting to be sent/)).not.toBeInTheDocument(); // the other one was taken

    await userEvent.setup().click(within(refusal).getByRole("button", { name: "OK, got it" }));
    await waitFor(() => expect(screen.queryByRole("alert")).not.toBeInTheDocument());
    expect(await queued(OWNER)).toEqual([]);
  });
});
