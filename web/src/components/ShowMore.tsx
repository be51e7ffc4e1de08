import { useState } from "react";
import { useTranslation } from "react-i18next";

interface Props {
  /** The list has more than is shown (the API gave a next cursor). */
  hasMore: boolean;
  loading: boolean;
  failed: boolean;
  onMore: () => void;
  /** How many are shown now: said to screen readers after each load asked for here, as a polite status. */
  shown: number;
  label: string;
}

/** "Show more" under a paged list: asks for the next page, then says (politely) how many are shown once it came, or
 * that it could not be loaded. Gone when there is no more. The status is there only once more was asked for, so a
 * section's own status stays the only one until then. */
export function ShowMore({ hasMore, loading, failed, onMore, shown, label }: Props) {
  const { t } = useTranslation();
  const [asked, setAsked] = useState(false);
  return (
    <div className="pager">
      {hasMore && (
        <button
          type="button"
          className="secondary"
          disabled={loading}
          onClick={() => {
            setAsked(true);
            onMore();
          }}
        >
          {loading ? t("common.loading") : label}
        </button>
      )}
      {asked && (
        <p role="status" className="visually-hidden">
          {loading ? "" : t("common.shown", { number: shown })}
        </p>
      )}
      {failed && <p role="alert">{t("common.moreFailed")}</p>}
    </div>
  );
}
