import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSession } from "../api/hooks";
import { Field } from "../components/Field";
import { useDraft } from "../offline/draft";
import { enqueueCheckIn } from "../offline/queue";
import { syncNow } from "../offline/sync";
import { RecentCheckIns } from "./RecentCheckIns";

/** How I feel today (0-10) and, if I like, a journal entry: private unless I choose to share it. Kept on the
 * device and sent when there is a connection. */
export default function CheckIn() {
  const { t } = useTranslation();
  const session = useSession().data;
  const queryClient = useQueryClient();
  const [form, setForm, clear] = useDraft("checkin", { mood: "5", text: "", share: false });
  const [saved, setSaved] = useState<"sent" | "queued" | null>(null);
  if (!session) return null;
  async function submit(owner: string) {
    await enqueueCheckIn(owner, {
      checkin_id: crypto.randomUUID(),
      mood: Number(form.mood),
      text: form.text.trim() || null,
      share_with_therapist: form.share,
      occurred_at: new Date().toISOString(),
    });
    clear();
    await syncNow(owner);
    setSaved(navigator.onLine ? "sent" : "queued");
    void queryClient.invalidateQueries({ queryKey: ["checkins", owner] });
  }
  return (
    <article>
      <h1>{t("checkin.title")}</h1>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          setSaved(null);
          void submit(session.subject);
        }}
      >
        <Field label={t("checkin.mood")} hint={t("checkin.moodHint")}>
          {(ids) => (
            <input
              {...ids}
              type="range"
              min={0}
              max={10}
              value={form.mood}
              aria-valuetext={t("common.outOfTen", { value: form.mood })}
              onChange={(e) => setForm({ ...form, mood: e.target.value })}
            />
          )}
        </Field>
        <p className="range-value" aria-hidden="true">
          {t("common.outOfTen", { value: form.mood })}
        </p>
        <Field label={t("checkin.journal")} hint={t("checkin.private")}>
          {(ids) => (
            <textarea
              {...ids}
              rows={5}
              maxLength={2000}
              value={form.text}
              onChange={(e) => setForm({ ...form, text: e.target.value })}
            />
          )}
        </Field>
        <label className="choice">
          <input type="checkbox" checked={form.share} onChange={(e) => setForm({ ...form, share: e.target.checked })} />
          {t("checkin.share")}
        </label>
        <button type="submit">{t("checkin.save")}</button>
        <p role="status" className="saved">
          {saved === "sent" ? t("checkin.saved") : saved === "queued" ? t("record.queued") : ""}
        </p>
      </form>
      <RecentCheckIns me={session.subject} />
    </article>
  );
}
