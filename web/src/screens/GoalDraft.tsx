import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";
import { api, unwrap } from "../api/client";
import { keys, useEpisodes, useGoal, useSession } from "../api/hooks";
import { ApiError, errorFor, fieldErrors, otherErrors } from "../api/problem";
import type { Goal } from "../api/types";
import { Field, FormErrors } from "../components/Field";
import { CATEGORIES, contentOf, emptyGoalForm, formOf, type GoalForm } from "../goals/form";
import { SmartHints } from "../goals/SmartHints";
import { useDraft } from "../offline/draft";

const FIELDS = [
  "statement",
  "why_it_matters",
  "category_code",
  "baseline",
  "target",
  "due_date",
  "review_interval_days",
  "confidence",
  "milestones",
  "family_party_ids",
  "reason",
  "smart_override_reason",
] as const;

export default function GoalDraftScreen() {
  const { goalId } = useParams();
  const goal = useGoal(goalId ?? "");
  if (goalId && !goal.data) return null; // the edit form opens with the goal's current words
  return <GoalDraft key={goalId ?? "new"} existing={goalId ? goal.data : undefined} />;
}

function GoalDraft({ existing }: { existing: Goal | undefined }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useSession().data ?? undefined;
  const episodes = useEpisodes();
  const version = existing?.pending_version ?? existing?.agreed_version;
  const initial = existing && version ? formOf(existing.goal_id, version.content) : emptyGoalForm();
  const [form, setForm, clearDraft] = useDraft<GoalForm>(existing ? `goal-${existing.goal_id}` : "goal-new", initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const content = contentOf(form);
  const isRevision = existing !== undefined && existing.status !== "draft";
  const episode = (episodes.data?.items ?? []).find((e) =>
    existing ? e.episode_id === existing.episode_id : e.status === "open" && e.client_id === me?.subject,
  );
  const family = (episode?.participants ?? []).filter((p) => p.role === "family");
  const familyError = errorFor(errors, "family_party_ids");

  const set = (patch: Partial<GoalForm>) => setForm((old) => ({ ...old, ...patch }));

  const save = useMutation({
    mutationFn: async (propose: boolean) => {
      if (!content) throw new ApiError(422, { title: t("draft.incomplete"), status: 422, field: "statement" });
      const override = form.override.trim() || null;
      let saved: Goal;
      if (!existing) {
        if (!episode) throw new ApiError(409, { title: t("draft.noEpisode"), status: 409 });
        saved = await unwrap(
          api.POST("/api/v1/episodes/{episode_id}/goals", {
            params: { path: { episode_id: episode.episode_id } },
            body: { goal_id: form.goalId, content },
          }),
        );
      } else if (!isRevision) {
        saved = await unwrap(
          api.PUT("/api/v1/goals/{goal_id}/draft", {
            params: { path: { goal_id: existing.goal_id }, header: { "if-match": `"${existing.revision}"` } },
            body: { content },
          }),
        );
      } else {
        return unwrap(
          api.POST("/api/v1/goals/{goal_id}/revisions", {
            params: { path: { goal_id: existing.goal_id }, header: { "if-match": `"${existing.revision}"` } },
            body: { content, reason: form.reason.trim(), smart_override_reason: override },
          }),
        );
      }
      if (!propose) return saved;
      return unwrap(
        api.POST("/api/v1/goals/{goal_id}/proposal", {
          params: { path: { goal_id: saved.goal_id } },
          body: { smart_override_reason: override },
        }),
      );
    },
    onMutate: () => setErrors({}),
    onSuccess: (goal) => {
      clearDraft();
      queryClient.setQueryData(keys.goal(goal.goal_id), goal);
      void queryClient.invalidateQueries({ queryKey: keys.goals });
      void navigate(`/goals/${goal.goal_id}`);
    },
    onError: (error) => {
      setErrors(error instanceof ApiError ? fieldErrors(error.problem) : { "": t("common.error") });
    },
  });

  const topErrors = [
    ...otherErrors(errors, FIELDS),
    ...(save.error instanceof ApiError && Object.keys(errors).length === 0 ? [save.error.problem.title] : []),
  ];

  return (
    <article>
      <h1>{isRevision ? t("draft.reviseTitle") : t("draft.title")}</h1>
      <p>{t("draft.intro")}</p>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const submitter = (event.nativeEvent).submitter as HTMLButtonElement | null;
          save.mutate(isRevision || submitter?.value === "propose");
        }}
      >
        <FormErrors messages={topErrors} />
        <Field label={t("draft.statement")} hint={t("draft.statementHint")} error={errorFor(errors, "statement")}>
          {(ids) => (
            <textarea
              {...ids}
              name="statement"
              rows={3}
              maxLength={500}
              value={form.statement}
              onChange={(e) => set({ statement: e.target.value })}
            />
          )}
        </Field>
        <Field label={t("draft.why")} error={errorFor(errors, "why_it_matters")}>
          {(ids) => (
            <textarea
              {...ids}
              name="why"
              rows={2}
              maxLength={500}
              value={form.why}
              onChange={(e) => set({ why: e.target.value })}
            />
          )}
        </Field>
        <Field label={t("draft.category")} error={errorFor(errors, "category_code")}>
          {(ids) => (
            <select {...ids} value={form.category} onChange={(e) => set({ category: e.target.value })}>
              {CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {t(`category.${c}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="field-row">
          <Field label={t("draft.baseline")} error={errorFor(errors, "baseline")}>
            {(ids) => (
              <input
                {...ids}
                type="number"
                inputMode="numeric"
                min={0}
                max={10}
                value={form.baseline}
                onChange={(e) => set({ baseline: e.target.value })}
              />
            )}
          </Field>
          <Field label={t("draft.target")} error={errorFor(errors, "target")}>
            {(ids) => (
              <input
                {...ids}
                type="number"
                inputMode="numeric"
                min={0}
                max={10}
                value={form.target}
                onChange={(e) => set({ target: e.target.value })}
              />
            )}
          </Field>
        </div>
        <div className="field-row">
          <Field label={t("draft.due")} error={errorFor(errors, "due_date")}>
            {(ids) => <input {...ids} type="date" value={form.due} onChange={(e) => set({ due: e.target.value })} />}
          </Field>
          <Field label={t("draft.review")} error={errorFor(errors, "review_interval_days")}>
            {(ids) => (
              <input
                {...ids}
                type="number"
                inputMode="numeric"
                min={1}
                max={366}
                value={form.review}
                onChange={(e) => set({ review: e.target.value })}
              />
            )}
          </Field>
        </div>
        <Field label={t("draft.confidence")} error={errorFor(errors, "confidence")}>
          {(ids) => (
            <input
              {...ids}
              type="range"
              min={0}
              max={10}
              value={form.confidence}
              aria-valuetext={t("common.outOfTen", { value: form.confidence })}
              onChange={(e) => set({ confidence: e.target.value })}
            />
          )}
        </Field>
        <p className="range-value" aria-hidden="true">
          {t("common.outOfTen", { value: form.confidence })}
        </p>
        <fieldset>
          <legend>{t("draft.milestones")}</legend>
          <p className="hint">{t("draft.milestonesHint")}</p>
          {form.milestones.map((m, i) => (
            <div key={m.id} className="milestone-row">
              <Field
                label={t("draft.milestoneText", { number: i + 1 })}
                error={errorFor(errors, `milestones.${i}.description`)}
              >
                {(ids) => (
                  <input
                    {...ids}
                    value={m.description}
                    maxLength={500}
                    onChange={(e) =>
                      set({
                        milestones: form.milestones.map((x) =>
                          x.id === m.id ? { ...x, description: e.target.value } : x,
                        ),
                      })
                    }
                  />
                )}
              </Field>
              <Field label={t("draft.milestoneAt")} error={errorFor(errors, `milestones.${i}.threshold`)}>
                {(ids) => (
                  <input
                    {...ids}
                    type="number"
                    inputMode="numeric"
                    min={0}
                    max={10}
                    value={m.threshold}
                    onChange={(e) =>
                      set({
                        milestones: form.milestones.map((x) =>
                          x.id === m.id ? { ...x, threshold: e.target.value } : x,
                        ),
                      })
                    }
                  />
                )}
              </Field>
              <button
                type="button"
                className="secondary"
                onClick={() => set({ milestones: form.milestones.filter((x) => x.id !== m.id) })}
              >
                {t("draft.removeMilestone", { number: i + 1 })}
              </button>
            </div>
          ))}
          <button
            type="button"
            className="secondary"
            onClick={() =>
              set({ milestones: [...form.milestones, { id: crypto.randomUUID(), description: "", threshold: "" }] })
            }
          >
            {t("draft.addMilestone")}
          </button>
        </fieldset>
        {family.length > 0 && (
          <fieldset aria-describedby="family-parties-hint">
            <legend>{t("draft.familyParties")}</legend>
            <p className="hint" id="family-parties-hint">
              {t("draft.familyPartiesHint")}
            </p>
            <FormErrors messages={familyError ? [familyError] : []} />
            {family.map((p, i) => (
              <label key={p.person_id} className="choice">
                <input
                  type="checkbox"
                  checked={form.familyParties.includes(p.person_id)}
                  onChange={(e) =>
                    set({
                      familyParties: e.target.checked
                        ? [...form.familyParties, p.person_id]
                        : form.familyParties.filter((id) => id !== p.person_id),
                    })
                  }
                />
                {t(`relationship.${p.relationship_code ?? "other"}`, { defaultValue: t("relationship.other") })}
                {family.length > 1 ? ` ${i + 1}` : ""}
              </label>
            ))}
          </fieldset>
        )}
        <SmartHints content={content} />
        {isRevision && (
          <Field label={t("draft.reason")} error={errorFor(errors, "reason")}>
            {(ids) => (
              <textarea {...ids} rows={2} value={form.reason} onChange={(e) => set({ reason: e.target.value })} />
            )}
          </Field>
        )}
        <Field
          label={t("draft.override")}
          hint={t("draft.overrideHint")}
          error={errorFor(errors, "smart_override_reason")}
        >
          {(ids) => (
            <textarea {...ids} rows={2} value={form.override} onChange={(e) => set({ override: e.target.value })} />
          )}
        </Field>
        <div className="actions">
          {!isRevision && (
            <button type="submit" name="action" value="save" className="secondary" disabled={save.isPending}>
              {t("draft.save")}
            </button>
          )}
          <button type="submit" name="action" value="propose" disabled={save.isPending}>
            {isRevision ? t("draft.sendRevision") : t("draft.propose")}
          </button>
        </div>
      </form>
    </article>
  );
}
