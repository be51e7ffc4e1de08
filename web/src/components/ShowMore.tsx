import { useState } from "react";
import { useTranslation } from "react-i18next";

/** A paged list as `usePagedList` gives it: whether there is more (the API gave a next cursor), the next page's load,
 * and the items shown (how many is said to screen readers after each load asked for here, as a polite status). */
interface PagedList {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  isFetchNextPageError: boolean;
  fetchNextPage: () => Promise<unknown>;
  items: unknown[];
}

/** "Show more" under a paged list: asks for the next page, then says (politely) how many are shown once it came, or
 * that it could not be loaded. Gone when there is no more. The status is there only once more was asked for, so a
 * section's own status stays the only one until then. */
export function ShowMore({ list, label }: { list: PagedList; label: string }) {
  const { t } = useTranslation();
  const [asked, setAsked] = useState(false);
  const loading = list.isFetchingNextPage;
  return (
    <div className="pager">
      {list.hasNextPage && (
        <button
          type="button"
          className="secondary"
          disabled={loading}
          onClick={() => {
            setAsked(true);
            void list.fetchNextPage();
          }}
        >
          {loading ? t("common.loading") : label}
        </button>
      )}
      {asked && (
        <p role="status" className="visually-hidden">
          {loading ? "" : t("common.shown", { number: list.items.length })}
        </p>
      )}
      {list.isFetchNextPageError && <p role="alert">{t("common.moreFailed")}</p>}
    </div>
  );
}
