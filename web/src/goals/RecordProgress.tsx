import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { keys } from "../api/hooks";
import type { Goal, GoalVersion } from "../api/types";
import { Field } from "../components/Field";
import { enqueueEntry } from "../offline/queue";
import { useDraft } from "../offline/draft";
import { syncNow } from "../offline/sync";

/** One tap to record where things are: a value on the goal's scale (a 0-10 rating for a goal rating), an action
 * step ticked, and a note only the person recording sees. Everything goes through the offline queue, so it is kept
 * when the network is gone and sent exactly once when it is back. */
export function RecordProgress({ goal, version, owner }: { goal: Goal; version: GoalVersion; owner: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { measure } = version.content;
  const actions = (version.content.milestones ?? []).filter((m) => m.kind === "action");
  const [form, setForm, clear] = useDraft(`record-${goal.goal_id}`, { value: "", milestone: "", note: "" });
  const [saved, setSaved] = useState<"sent" | "queued" | null>(null);
  const [error, setError] = useState<string | undefined>();
  const isRating = measure.kind === "goal_rating";

  async function submit() {
    setSaved(null);
    const value = form.value.trim() === "" ? null : Number(form.value);
    if (value === null && !form.milestone) {
      setError(t("record.nothing"));
      return;
    }
    if (value !== null && (!Number.isFinite(value) || value < measure.minimum || value > measure.maximum)) {
      setError(t("record.range", { min: measure.minimum, max: measure.maximum }));
      return;
    }
    setError(undefined);
    const occurred_at = new Date().toISOString();
    const note = form.note.trim() || null;
    if (value !== null)
      await enqueueEntry(owner, {
        entry_id: crypto.randomUUID(),
        goal_id: goal.goal_id,
        kind: isRating ? "rating" : "measurement",
        value,
        note,
        occurred_at,
      });
    if (form.milestone)
      await enqueueEntry(owner, {
        entry_id: crypto.randomUUID(),
        goal_id: goal.goal_id,
        kind: "milestone_check",
        milestone_id: form.milestone,
        note: value === null ? note : null,
        occurred_at,
      });
    clear();
    await syncNow(owner);
    setSaved(navigator.onLine ? "sent" : "queued");
    void queryClient.invalidateQueries({ queryKey: keys.progress(goal.goal_id) });
    void queryClient.invalidateQueries({ queryKey: keys.overview });
  }

  return (
    <section className="panel" id="record" aria-labelledby="record-title">
      <h2 id="record-title">{t("record.title")}</h2>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Field
          label={isRating ? t("record.rating") : t("record.value", { min: measure.minimum, max: measure.maximum })}
          error={error}
        >
          {(ids) => (
            <input
              {...ids}
              type="number"
              inputMode="decimal"
              min={measure.minimum}
              max={measure.maximum}
              value={form.value}
              onChange={(e) => setForm({ ...form, value: e.target.value })}
            />
          )}
        </Field>
        {actions.length > 0 && (
          <fieldset>
            <legend>{t("record.milestone")}</legend>
            {actions.map((m) => (
              <label key={m.milestone_id} className="choice">
                <input
                  type="radio"
                  name="milestone"
                  value={m.milestone_id}
                  checked={form.milestone === m.milestone_id}
                  onChange={() => setForm({ ...form, milestone: m.milestone_id })}
                />
                {m.description}
              </label>
            ))}
          </fieldset>
        )}
        <Field label={t("record.note")} hint={t("record.noteHint")}>
          {(ids) => (
            <textarea
              {...ids}
              rows={2}
              maxLength={2000}
              value={form.note}
              onChange={(e) => setForm({ ...form, note: e.target.value })}
            />
          )}
        </Field>
        <button type="submit">{t("record.save")}</button>
        <p role="status" className="saved">
          {saved === "sent" ? t("record.saved") : saved === "queued" ? t("record.queued") : ""}
        </p>
      </form>
    </section>
  );
}
