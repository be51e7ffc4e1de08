import { beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "../api/problem";
import type { BatchItem, BatchResult, CheckInCreate } from "../api/types";
import { dismiss, enqueueCheckIn, enqueueEntry, flush, queued, type Transport } from "./queue";

const OWNER = "8d3c7f0e-0000-4000-8000-000000000001";

/** A server that de-duplicates by id, as the progress service does, and can lose its answer on the way back. */
class FakeServer implements Transport {
  stored = new Map<string, BatchItem>();
  checkins = new Map<string, CheckInCreate>();
  received: string[] = [];
  loseNextAnswer = false;
  offline = false;
  refuse = new Set<string>();

  async sendEntries(items: BatchItem[]): Promise<BatchResult[]> {
    if (this.offline) throw new TypeError("Failed to fetch");
    const results = items.map((item): BatchResult => {
      const id = item.entry_id!;
      this.received.push(id);
      if (this.refuse.has(id))
        return { entry_id: id, status: "rejected", problem: { status: 422, title: "Not on this goal's scale" } };
      const duplicate = this.stored.has(id);
      if (!duplicate) this.stored.set(id, item);
      return { entry_id: id, status: duplicate ? "duplicate" : "created" };
    });
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new TypeError("network connection was lost"); // the server committed; the answer never arrived
    }
    return results;
  }

  async sendCheckIn(body: CheckInCreate): Promise<void> {
    if (this.offline) throw new TypeError("Failed to fetch");
    this.received.push(body.checkin_id!);
    if (this.refuse.has(body.checkin_id!))
      throw new ApiError(422, { status: 422, title: "Invalid request", field: "body.mood" });
    if (!this.checkins.has(body.checkin_id!)) this.checkins.set(body.checkin_id!, body);
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new TypeError("network connection was lost");
    }
  }
}

function entry(n: number) {
  return {
    entry_id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    goal_id: "90000000-0000-4000-8000-000000000001",
    kind: "rating" as const,
    value: n,
    occurred_at: "2026-11-27T10:00:00Z",
  };
}

function checkin(n: number) {
  return { checkin_id: `c0000000-0000-4000-8000-${String(n).padStart(12, "0")}`, mood: 6, occurred_at: "2026-11-27T10:00:00Z" };
}

beforeEach(async () => {
  for (const item of await queued(OWNER)) await dismiss(item.id);
});

describe("the offline queue", () => {
  it("keeps entries made offline and sends each once when the network returns", async () => {
    const server = new FakeServer();
    server.offline = true;
    await enqueueEntry(OWNER, entry(1));
    await enqueueEntry(OWNER, entry(2));
    await flush(server, OWNER);
    expect(await queued(OWNER)).toHaveLength(2);
    expect(server.stored.size).toBe(0);

    server.offline = false;
    await flush(server, OWNER);
    expect(await queued(OWNER)).toHaveLength(0);
    expect([...server.stored.keys()].sort()).toEqual([entry(1).entry_id, entry(2).entry_id]);
  });

  it("tells which goals' entries reached the server, and none while offline", async () => {
    const server = new FakeServer();
    server.offline = true;
    await enqueueEntry(OWNER, entry(1));
    await enqueueEntry(OWNER, { ...entry(2), goal_id: "90000000-0000-4000-8000-000000000002" });
    expect(await flush(server, OWNER)).toEqual([]);

    server.offline = false;
    expect((await flush(server, OWNER)).sort()).toEqual([entry(1).goal_id, "90000000-0000-4000-8000-000000000002"]);
    expect(await flush(server, OWNER)).toEqual([]);
  });

  it("sends an entry again after an interrupted send and the server keeps it once, then the queue lets it go", async () => {
    const server = new FakeServer();
    await enqueueEntry(OWNER, entry(3));
    server.loseNextAnswer = true;
    await flush(server, OWNER);
    // The server stored it, but no answer came back: the item must stay until the server says it has it.
    expect(server.stored.size).toBe(1);
    expect(await queued(OWNER)).toHaveLength(1);

    await flush(server, OWNER);
    expect(server.received).toEqual([entry(3).entry_id, entry(3).entry_id]);
    expect(server.stored.size).toBe(1);
    expect(await queued(OWNER)).toHaveLength(0);
  });

  it("does not send the same items twice when flushes overlap", async () => {
    const server = new FakeServer();
    await enqueueEntry(OWNER, entry(4));
    await Promise.all([flush(server, OWNER), flush(server, OWNER), flush(server, OWNER)]);
    expect(server.received).toEqual([entry(4).entry_id]);
    expect(await queued(OWNER)).toHaveLength(0);
  });

  it("keeps an entry the server refuses, with the server's reason, and still sends the others", async () => {
    const server = new FakeServer();
    server.refuse.add(entry(6).entry_id);
    await enqueueEntry(OWNER, entry(5));
    await enqueueEntry(OWNER, entry(6));
    await flush(server, OWNER);

    const left = await queued(OWNER);
    expect(left).toHaveLength(1);
    expect(left[0]!.id).toBe(entry(6).entry_id);
    expect(left[0]!.rejected?.title).toBe("Not on this goal's scale");
    expect(server.stored.has(entry(5).entry_id)).toBe(true);

    // A refusal is not resent on its own; it waits for the person to see it and let it go.
    await flush(server, OWNER);
    expect(server.received.filter((id) => id === entry(6).entry_id)).toHaveLength(1);
    await dismiss(entry(6).entry_id);
    expect(await queued(OWNER)).toHaveLength(0);
  });

  it("sends check-ins exactly once through interruptions and surfaces a refused one", async () => {
    const server = new FakeServer();
    await enqueueCheckIn(OWNER, checkin(1));
    await enqueueCheckIn(OWNER, checkin(2));
    server.refuse.add(checkin(2).checkin_id);
    server.loseNextAnswer = true;
    await flush(server, OWNER); // check-in 1 stored, answer lost: stop and keep everything
    expect(await queued(OWNER)).toHaveLength(2);

    await flush(server, OWNER);
    expect(server.checkins.size).toBe(1);
    const left = await queued(OWNER);
    expect(left.map((i) => i.id)).toEqual([checkin(2).checkin_id]);
    expect(left[0]!.rejected?.field).toBe("body.mood");
  });

  it("stops on a retryable conflict or a server failure and keeps everything for next time", async () => {
    const failing: Transport = {
      sendEntries: () => Promise.reject(new ApiError(409, { status: 409, title: "Not yet", retryable: true })),
      sendCheckIn: () => Promise.reject(new ApiError(503, { status: 503, title: "Unavailable" })),
    };
    await enqueueEntry(OWNER, entry(7));
    await enqueueCheckIn(OWNER, checkin(3));
    await flush(failing, OWNER);
    const left = await queued(OWNER);
    expect(left).toHaveLength(2);
    expect(left.every((i) => !i.rejected)).toBe(true);
  });

  it("finds the one malformed entry when the whole batch is refused, and sends the rest", async () => {
    const server = new FakeServer();
    const strict: Transport = {
      sendEntries: (items) =>
        items.some((i) => i.value === 99)
          ? Promise.reject(new ApiError(422, { status: 422, title: "Invalid request", errors: [{ field: "body.entries.0.value" }] }))
          : server.sendEntries(items),
      sendCheckIn: (body) => server.sendCheckIn(body),
    };
    await enqueueEntry(OWNER, entry(8));
    await enqueueEntry(OWNER, { ...entry(9), value: 99 });
    await flush(strict, OWNER);
    const left = await queued(OWNER);
    expect(left.map((i) => i.id)).toEqual([entry(9).entry_id]);
    expect(left[0]!.rejected?.title).toBe("Invalid request");
    expect(server.stored.has(entry(8).entry_id)).toBe(true);
  });

  it("never sends one person's items under another person's session", async () => {
    const server = new FakeServer();
    await enqueueEntry("someone-else", entry(10));
    await flush(server, OWNER);
    expect(server.received).toEqual([]);
    expect(await queued("someone-else")).toHaveLength(1);
    await dismiss(entry(10).entry_id);
  });
});
