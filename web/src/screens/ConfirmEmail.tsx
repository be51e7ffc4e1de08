import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate } from "react-router";
import { api, unwrap } from "../api/client";
import { keys } from "../api/hooks";
import { ApiError } from "../api/problem";

type Outcome = "used" | "expired" | "unknown" | "missing" | "error";

/** Why a link did not confirm anything, from the API's problem (410 used or expired, 404 not the caller's). */
function outcomeOf(error: unknown): Outcome {
  if (!(error instanceof ApiError)) return "error";
  const reason = (error.problem as { reason?: unknown }).reason;
  if (error.status === 410) return reason === "used" ? "used" : "expired";
  if (error.status === 404) return "unknown";
  if (error.status === 422) return "missing";
  return "error";
}

/** Where the link in a confirmation e-mail leads (`/confirm-email?token=…`): the signed-in owner's session sends the
 * token once; the token is then taken out of the address bar, so it stays in neither the history nor a bookmark. */
export default function ConfirmEmail() {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [token] = useState(() => new URLSearchParams(location.search).get("token") ?? "");
  const sent = useRef(false);
  const confirm = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/notifications/email-confirmations", { body: { token } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.emails }),
  });
  const { mutate } = confirm;
  useEffect(() => {
    if (sent.current || !token) return;
    sent.current = true; // a link works once: a second render must not spend it again
    mutate();
    void navigate(location.pathname, { replace: true });
  }, [token, mutate, navigate, location.pathname]);

  let message: string;
  let failed = true;
  if (!token) message = t("confirmEmail.missing");
  else if (confirm.isSuccess) {
    message = t("confirmEmail.done", { email: confirm.data.email });
    failed = false;
  } else if (confirm.isError) {
    const outcome = outcomeOf(confirm.error);
    message = outcome === "error" ? t("common.error") : t(`confirmEmail.${outcome}`);
  } else {
    message = t("confirmEmail.working");
    failed = false;
  }
  return (
    <article>
      <h1>{t("confirmEmail.title")}</h1>
      <p role={failed ? "alert" : "status"}>{message}</p>
      <Link className="button" to="/settings">
        {t("confirmEmail.settings")}
      </Link>
    </article>
  );
}
