import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client";
import type { CriterionResult, GoalContent } from "../api/types";
import { languageOf } from "../i18n";

export const SMART_DEBOUNCE_MS = 600;

/** The SMART check of what is typed so far, asked for once typing pauses (debounced), never for every key. */
export function useSmartCheck(content: GoalContent | null, delayMs = SMART_DEBOUNCE_MS): CriterionResult[] | null {
  const [results, setResults] = useState<CriterionResult[] | null>(null);
  const serialized = content === null ? null : JSON.stringify(content);
  useEffect(() => {
    if (serialized === null) return;
    let live = true;
    const timer = setTimeout(() => {
      unwrap(api.POST("/api/v1/goals/smart-check", { body: JSON.parse(serialized) as GoalContent })).then(
        (answer) => live && setResults(answer.results),
        () => undefined, // hints are a help, not a gate: offline or refused, the form still works
      );
    }, delayMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [serialized, delayMs]);
  return results;
}

/** Plain-language tips as the goal is written. The service words its hints in English; in Welsh the catalogue's
 * hint for the same criterion is shown. */
export function SmartHints({ content, delayMs }: { content: GoalContent | null; delayMs?: number }) {
  const { t, i18n } = useTranslation();
  const results = useSmartCheck(content, delayMs);
  const welsh = languageOf(i18n.language) === "cy";
  const open = results?.filter((r) => !r.passed) ?? [];
  return (
    <section className="smart-hints" aria-labelledby="smart-title">
      <h2 id="smart-title">{t("draft.smart")}</h2>
      <div aria-live="polite">
        {results === null ? null : open.length === 0 ? (
          <p className="smart-ok">{t("draft.smartAllGood")}</p>
        ) : (
          <ul>
            {open.map((r) => (
              <li key={r.criterion}>
                <strong>{t(`smart.${r.criterion}`)}:</strong>{" "}
                {welsh || !r.hint ? t(`smart.hint.${r.criterion}`) : r.hint}
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
