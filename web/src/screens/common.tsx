import { useTranslation } from "react-i18next";
import { useSession } from "../api/hooks";
import { ApiError } from "../api/problem";
import { wayBack } from "../components/wayBack";

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="loading" role="status">
      {t("common.loading")}
    </p>
  );
}

/** A read that failed (and had nothing kept from before): say so plainly, with the way back. */
export function LoadFailed({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const notFound = error instanceof ApiError && (error.status === 404 || error.status === 403);
  const back = wayBack(useSession().data?.roles);
  return (
    <section className="panel" role="alert">
      <h1>{notFound ? t("notFound.title") : t("error.title")}</h1>
      <p>{notFound ? t("notFound.body") : t("error.loadBody")}</p>
      <a className="button" href={back.href}>
        {t(back.label)}
      </a>
    </section>
  );
}

/** One part of a page whose read failed (a panel beside others that loaded): say so inside the part, with a retry,
 * rather than the whole-page "didn't load" message and its way back, which would read as if the page had failed. */
export function PartFailed({ onRetry }: { onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <div role="alert">
      <p>{t("error.partBody")}</p>
      <button type="button" onClick={onRetry}>
        {t("error.tryAgain")}
      </button>
    </div>
  );
}
