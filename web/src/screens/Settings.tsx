import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client";
import { keys, useEmails, usePreferences, useSession } from "../api/hooks";
import { ApiError, errorFor, fieldErrors, otherErrors } from "../api/problem";
import type { Preferences } from "../api/types";
import { Field, FormErrors } from "../components/Field";
import { LANGUAGES, languageOf, setLanguage } from "../i18n";
import { currentSubscription, disablePush, enablePush, pushSupported } from "../push";
import { LoadFailed, Loading } from "./common";
import { AskForErasure } from "./AskForErasure";
import { DownloadMyData } from "./DownloadMyData";

function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf?.("timeZone") ?? ["Europe/London"];
}

export default function Settings() {
  const preferences = usePreferences();
  if (preferences.isPending) return <Loading />;
  if (!preferences.data) return <LoadFailed error={preferences.error} />;
  return <SettingsForm saved={preferences.data} />;
}

function SettingsForm({ saved }: { saved: Preferences }) {
  const { t } = useTranslation();
  const session = useSession().data;
  const roles = session?.roles ?? [];
  const subject = session?.subject;
  // Digests gather a clinician's routine updates about their clients; nobody else receives those updates.
  const staff = roles.includes("therapist") || roles.includes("supervisor");
  const queryClient = useQueryClient();
  const [prefs, setPrefs] = useState<Preferences>(saved);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState(false);
  const save = useMutation({
    mutationFn: (body: Preferences) => unwrap(api.PUT("/api/v1/notifications/preferences", { body })),
    onMutate: () => {
      setErrors({});
      setDone(false);
    },
    onSuccess: (answer) => {
      queryClient.setQueryData(keys.preferences, answer);
      void setLanguage(languageOf(answer.locale));
      setDone(true);
    },
    onError: (error) => setErrors(error instanceof ApiError ? fieldErrors(error.problem) : { "": t("common.error") }),
  });
  const channels = new Set(prefs.channels);
  const toggle = (channel: "email" | "push", on: boolean) => {
    const next = new Set(channels);
    if (on) next.add(channel);
    else next.delete(channel);
    setPrefs({ ...prefs, channels: [...next] });
  };
  return (
    <article>
      <h1>{t("settings.title")}</h1>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(prefs);
        }}
      >
        <FormErrors messages={otherErrors(errors, ["locale", "time_zone", "channels", "quiet_hours", "clinician_delivery"])} />
        <fieldset aria-describedby={errorFor(errors, "locale") ? "locale-error" : undefined}>
          <legend>{t("settings.language")}</legend>
          {LANGUAGES.map((lng) => (
            <label key={lng} className="choice" lang={lng}>
              <input
                type="radio"
                name="locale"
                checked={languageOf(prefs.locale) === lng}
                onChange={() => setPrefs({ ...prefs, locale: lng })}
              />
              {t(`settings.lang.${lng}`)}
            </label>
          ))}
          <p id="locale-error" className="field-error" role="alert" hidden={!errorFor(errors, "locale")}>
            {errorFor(errors, "locale")}
          </p>
        </fieldset>
        <Field label={t("settings.timeZone")} error={errorFor(errors, "time_zone")}>
          {(ids) => (
            <select {...ids} value={prefs.time_zone} onChange={(e) => setPrefs({ ...prefs, time_zone: e.target.value })}>
              {[...new Set([prefs.time_zone, ...timeZones()])].map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
            </select>
          )}
        </Field>
        <fieldset>
          <legend>{t("settings.quiet")}</legend>
          <label className="choice">
            <input
              type="checkbox"
              checked={prefs.quiet_hours != null}
              onChange={(e) =>
                setPrefs({ ...prefs, quiet_hours: e.target.checked ? { start: "22:00:00", end: "07:00:00" } : null })
              }
            />
            {t("settings.quietOn")}
          </label>
          {prefs.quiet_hours && (
            <div className="field-row">
              <Field label={t("settings.quietFrom")} error={errorFor(errors, "quiet_hours.start")}>
                {(ids) => (
                  <input
                    {...ids}
                    type="time"
                    value={prefs.quiet_hours!.start.slice(0, 5)}
                    onChange={(e) => setPrefs({ ...prefs, quiet_hours: { ...prefs.quiet_hours!, start: `${e.target.value}:00` } })}
                  />
                )}
              </Field>
              <Field label={t("settings.quietTo")} error={errorFor(errors, "quiet_hours.end")}>
                {(ids) => (
                  <input
                    {...ids}
                    type="time"
                    value={prefs.quiet_hours!.end.slice(0, 5)}
                    onChange={(e) => setPrefs({ ...prefs, quiet_hours: { ...prefs.quiet_hours!, end: `${e.target.value}:00` } })}
                  />
                )}
              </Field>
            </div>
          )}
        </fieldset>
        <fieldset>
          <legend>{t("settings.channels")}</legend>
          <p className="hint">{t("settings.channelsHint")}</p>
          <label className="choice">
            <input type="checkbox" checked={channels.has("email")} onChange={(e) => toggle("email", e.target.checked)} />
            {t("settings.channel.email")}
          </label>
          <label className="choice">
            <input type="checkbox" checked={channels.has("push")} onChange={(e) => toggle("push", e.target.checked)} />
            {t("settings.channel.push")}
          </label>
          <p className="field-error" role="alert" hidden={!errorFor(errors, "channels")}>
            {errorFor(errors, "channels")}
          </p>
        </fieldset>
        {staff && (
          <ClinicianDelivery
            value={prefs.clinician_delivery ?? "immediate"}
            error={errorFor(errors, "clinician_delivery")}
            onChange={(clinician_delivery) => setPrefs({ ...prefs, clinician_delivery })}
          />
        )}
        <button type="submit" disabled={save.isPending}>
          {t("settings.save")}
        </button>
        <p role="status">{done ? t("settings.saved") : ""}</p>
      </form>
      <Emails />
      <PushToggle />
      {roles.includes("client") && subject && (
        <>
          <DownloadMyData clientId={subject} />
          <AskForErasure clientId={subject} />
        </>
      )}
    </article>
  );
}

type Delivery = NonNullable<Preferences["clinician_delivery"]>;
const DELIVERIES: readonly Delivery[] = ["immediate", "digest"];

/** How a therapist or supervisor hears of routine updates: each as it happens, or gathered in one daily digest.
 * Safety signals are never held for a digest (the notifications service sends urgent messages at once). */
function ClinicianDelivery(props: { value: Delivery; error: string | undefined; onChange: (value: Delivery) => void }) {
  const { t } = useTranslation();
  return (
    <fieldset aria-describedby={`delivery-hint${props.error ? " delivery-error" : ""}`}>
      <legend>{t("settings.delivery.title")}</legend>
      <p id="delivery-hint" className="hint">
        {t("settings.delivery.hint")}
      </p>
      {DELIVERIES.map((delivery) => (
        <label key={delivery} className="choice">
          <input
            type="radio"
            name="clinician_delivery"
            value={delivery}
            checked={props.value === delivery}
            onChange={() => props.onChange(delivery)}
          />
          {t(`settings.delivery.${delivery}`)}
        </label>
      ))}
      <p id="delivery-error" className="field-error" role="alert" hidden={!props.error}>
        {props.error}
      </p>
    </fieldset>
  );
}

function Emails() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const emails = useEmails();
  const [email, setEmail] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [resent, setResent] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/notifications/contact-points", { body: { email } })),
    onMutate: () => setErrors({}),
    onSuccess: (answer) => {
      setEmail("");
      if (!answer.confirmed) setResent(answer.email);
      void queryClient.invalidateQueries({ queryKey: keys.emails });
    },
    onError: (error) => setErrors(error instanceof ApiError ? fieldErrors(error.problem) : { email: t("common.error") }),
  });
  const remove = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/notifications/contact-points/{point_id}", { params: { path: { point_id: id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.emails }),
  });
  const sendAgain = useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.POST("/api/v1/notifications/contact-points/{point_id}/confirmation-link", {
          params: { path: { point_id: id } },
        }),
      ),
    onMutate: () => setResent(null),
    onSuccess: (answer) => setResent(answer.email),
  });
  const active = (emails.data?.items ?? []).filter((e) => e.active);
  return (
    <section className="panel" aria-labelledby="emails-title">
      <h2 id="emails-title">{t("settings.email")}</h2>
      <ul>
        {active.map((e) => (
          <li key={e.id}>
            {e.email}{" "}
            {!e.confirmed && (
              <>
                <span className="hint">{t("settings.emailWaiting")}</span>{" "}
                <button type="button" className="secondary" disabled={sendAgain.isPending} onClick={() => sendAgain.mutate(e.id)}>
                  {t("settings.emailSendAgain", { email: e.email })}
                </button>{" "}
              </>
            )}
            <button type="button" className="secondary" onClick={() => remove.mutate(e.id)}>
              {t("settings.emailRemove", { email: e.email })}
            </button>
          </li>
        ))}
      </ul>
      <p role="status">
        {resent ? t("settings.emailSent", { email: resent }) : sendAgain.isError ? t("common.error") : ""}
      </p>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          add.mutate();
        }}
      >
        <FormErrors messages={otherErrors(errors, ["email"])} />
        <Field label={t("settings.emailAdd")} error={errorFor(errors, "email")}>
          {(ids) => (
            <input {...ids} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          )}
        </Field>
        <button type="submit" disabled={add.isPending}>
          {t("settings.emailSave")}
        </button>
      </form>
    </section>
  );
}

function PushToggle() {
  const { t } = useTranslation();
  const [state, setState] = useState<"unknown" | "on" | "off" | "denied" | "unsupported">(() =>
    pushSupported() ? "unknown" : "unsupported",
  );
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!pushSupported()) return;
    void currentSubscription().then((s) => setState(s ? "on" : "off"), () => setState("off"));
  }, []);
  async function change(on: boolean) {
    setBusy(true);
    try {
      if (on) setState(await enablePush());
      else {
        await disablePush();
        setState("off");
      }
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="panel" aria-labelledby="push-title">
      <h2 id="push-title">{t("settings.push.title")}</h2>
      {state === "unsupported" ? (
        <p>{t("settings.push.unsupported")}</p>
      ) : (
        <>
          {state === "denied" && <p role="alert">{t("settings.push.denied")}</p>}
          <label className="choice">
            <input
              type="checkbox"
              role="switch"
              checked={state === "on"}
              disabled={busy || state === "unknown"}
              onChange={(e) => void change(e.target.checked)}
            />
            {t("settings.push.label")}
          </label>
        </>
      )}
    </section>
  );
}
