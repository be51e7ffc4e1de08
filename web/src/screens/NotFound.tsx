import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useSession } from "../api/hooks";
import { wayBack } from "../components/wayBack";

export default function NotFound() {
  const { t } = useTranslation();
  const back = wayBack(useSession().data?.roles);
  return (
    <article>
      <h1>{t("notFound.title")}</h1>
      <p>{t("notFound.body")}</p>
      <Link className="button" to={back.href}>
        {t(back.label)}
      </Link>
    </article>
  );
}
