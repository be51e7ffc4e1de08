import { useTranslation } from "react-i18next";

interface Props {
  /** The list has more than is shown (the API gave a next cursor). */
  hasMore: boolean;
  loading: boolean;
  failed: boolean;
  onMore: () => void;
  /** How many are shown now: said to screen readers after each load, as a polite status. */
  shown: number;
  label: string;
}

/** "Show more" under a paged list: asks for the next page, says (politely) how many are shown once it came, and
 * says so if it could not be loaded. Gone when there is no more. */
export function ShowMore({ hasMore, loading, failed, onMore, shown, label }: Props) {
  const { t } = useTranslation();
  return (
    <div className="pager">
      {hasMore && (
        <button type="button" className="secondary" disabled={loading} onClick={onMore}>
          {loading ? t("common.loading") : label}
        </button>
      )}
      <p role="status" className="visually-hidden">
        {t("common.shown", { number: shown })}
      </p>
      {failed && <p role="alert">{t("common.moreFailed")}</p>}
    </div>
  );
}
