import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client";
import { keys } from "../api/hooks";
import { ApiError } from "../api/problem";
import type { Goal } from "../api/types";
import { FormErrors } from "../components/Field";
import { VisibilityRecord, visibilityRecordKey } from "./VisibilityRecord";

/** Which family members may see this goal: the young person chooses, and can take it back at any time. */
export function Visibility({ goal }: { goal: Goal }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const episode = useQuery({
    queryKey: ["episode", goal.episode_id],
    queryFn: () =>
      unwrap(api.GET("/api/v1/episodes/{episode_id}", { params: { path: { episode_id: goal.episode_id } } })),
  });
  const family = (episode.data?.participants ?? []).filter((p) => p.role === "family");
  const labelOf = (p: (typeof family)[number], i: number) =>
    p.display_name ??
    `${t(`relationship.${p.relationship_code ?? "other"}`, { defaultValue: t("relationship.other") })}${family.length > 1 ? ` ${i + 1}` : ""}`;
  const nameOf = (personId: string) => {
    const i = family.findIndex((p) => p.person_id === personId);
    return i < 0 ? t("visibility.record.formerMember") : labelOf(family[i]!, i);
  };
  const [chosen, setChosen] = useState<string[]>(goal.visibility === "shared" ? goal.shared_with : []);
  const [done, setDone] = useState(false);
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT("/api/v1/goals/{goal_id}/visibility", {
          params: { path: { goal_id: goal.goal_id }, header: { "if-match": `"${goal.revision}"` } },
          body: chosen.length ? { visibility: "shared", shared_with: chosen } : { visibility: "private", shared_with: [] },
        }),
      ),
    onMutate: () => setDone(false),
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.goal(goal.goal_id), updated);
      void queryClient.invalidateQueries({ queryKey: visibilityRecordKey(goal.goal_id) });
      setDone(true);
    },
  });
  return (
    <section className="panel" aria-labelledby="visibility-title">
      <h2 id="visibility-title">{t("visibility.title")}</h2>
      <p>{t("visibility.intro")}</p>
      {family.length === 0 ? (
        <p>{t("visibility.none")}</p>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate();
          }}
        >
          <fieldset>
            <legend>{t("visibility.who")}</legend>
            {family.map((p, i) => (
              <label key={p.person_id} className="choice">
                <input
                  type="checkbox"
                  checked={chosen.includes(p.person_id)}
                  onChange={(e) =>
                    setChosen(
                      e.target.checked ? [...chosen, p.person_id] : chosen.filter((id) => id !== p.person_id),
                    )
                  }
                />
                {t(`relationship.${p.relationship_code ?? "other"}`, {
                  defaultValue: t("relationship.other"),
                })}
                {family.length > 1 ? ` ${i + 1}` : ""}
              </label>
            ))}
          </fieldset>
          <FormErrors messages={save.error instanceof ApiError ? [save.error.problem.detail ?? save.error.problem.title] : []} />
          <button type="submit" disabled={save.isPending}>
            {t("visibility.save")}
          </button>
          <p role="status">{done ? t("visibility.saved") : ""}</p>
        </form>
      )}
      <VisibilityRecord goalId={goal.goal_id} nameOf={nameOf} />
    </section>
  );
}
