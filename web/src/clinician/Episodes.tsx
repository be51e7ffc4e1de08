import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../api/client";
import { keys, useEpisodes } from "../api/hooks";
import { ApiError, errorFor, fieldErrors, otherErrors } from "../api/problem";
import type { Episode } from "../api/types";
import { Field, FormErrors } from "../components/Field";
import { formatDate } from "../i18n";
import { LoadFailed, Loading } from "../screens/common";
import { ClinicianNav } from "./ClinicianNav";
import { useClinicianT } from "./i18n";

function problemsOf(error: unknown): Record<string, string> {
  if (error instanceof ApiError) return fieldErrors(error.problem);
  return error instanceof Error ? { "": error.message } : {};
}

function OpenEpisode() {
  const { ct } = useClinicianT();
  const client = useQueryClient();
  const [form, setForm] = useState({ client_id: "", team_id: "" });
  const open = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/episodes", { body: { ...form, episode_id: crypto.randomUUID() } })),
    onSuccess: () => {
      setForm({ client_id: "", team_id: "" });
      void client.invalidateQueries({ queryKey: keys.episodes });
    },
  });
  const errors = problemsOf(open.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    open.mutate();
  };
  return (
    <form onSubmit={submit} aria-labelledby="open-episode" noValidate>
      <h2 id="open-episode">{ct("episodes.open")}</h2>
      <FormErrors messages={otherErrors(errors, ["client_id", "team_id"])} />
      <Field label={ct("episodes.client")} error={errorFor(errors, "client_id")}>
        {(ids) => <input {...ids} value={form.client_id} onChange={(e) => setForm({ ...form, client_id: e.target.value })} />}
      </Field>
      <Field label={ct("episodes.team")} error={errorFor(errors, "team_id")}>
        {(ids) => <input {...ids} value={form.team_id} onChange={(e) => setForm({ ...form, team_id: e.target.value })} />}
      </Field>
      <button type="submit" disabled={open.isPending}>
        {ct("episodes.openButton")}
      </button>
    </form>
  );
}

function Participants({ episode }: { episode: Episode }) {
  const { ct, language } = useClinicianT();
  const client = useQueryClient();
  const [form, setForm] = useState({ person_id: "", relationship_code: "parent" });
  const done = () => void client.invalidateQueries({ queryKey: keys.episodes });
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/episodes/{episode_id}/participants", {
          params: { path: { episode_id: episode.episode_id } },
          body: form,
        }),
      ),
    onSuccess: () => {
      setForm({ person_id: "", relationship_code: "parent" });
      done();
    },
  });
  const remove = useMutation({
    mutationFn: (person_id: string) =>
      unwrap(
        api.DELETE("/api/v1/episodes/{episode_id}/participants/{person_id}", {
          params: { path: { episode_id: episode.episode_id, person_id } },
        }),
      ),
    onSuccess: done,
  });
  const errors = problemsOf(add.error);
  const headingId = `episode-${episode.episode_id}`;
  return (
    <section aria-labelledby={headingId} className="episode">
      <h2 id={headingId}>
        {ct("episodes.episodeOf")} <code>{episode.client_id}</code>
      </h2>
      <p>{ct("episodes.opened", { when: formatDate(episode.opened_at, language), status: episode.status })}</p>
      <table className="data-table">
        <caption>{ct("episodes.participants")}</caption>
        <thead>
          <tr>
            <th scope="col">{ct("episodes.person")}</th>
            <th scope="col">{ct("episodes.role")}</th>
            <th scope="col">{ct("episodes.action")}</th>
          </tr>
        </thead>
        <tbody>
          {episode.participants.map((p) => (
            <tr key={p.person_id}>
              <th scope="row">
                <code>{p.person_id}</code>
              </th>
              <td>{p.relationship_code ? `${p.role} (${p.relationship_code})` : p.role}</td>
              <td>
                {p.role === "family" && (
                  <button type="button" disabled={remove.isPending} onClick={() => remove.mutate(p.person_id)}>
                    {ct("episodes.remove")}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {remove.error && <FormErrors messages={Object.values(problemsOf(remove.error))} />}
      {episode.status === "open" && (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <h3>{ct("episodes.addFamily")}</h3>
          <FormErrors messages={otherErrors(errors, ["person_id", "relationship_code"])} />
          <Field label={ct("episodes.person")} error={errorFor(errors, "person_id")}>
            {(ids) => (
              <input {...ids} value={form.person_id} onChange={(e) => setForm({ ...form, person_id: e.target.value })} />
            )}
          </Field>
          <Field label={ct("episodes.relationship")} error={errorFor(errors, "relationship_code")}>
            {(ids) => (
              <input
                {...ids}
                value={form.relationship_code}
                onChange={(e) => setForm({ ...form, relationship_code: e.target.value })}
              />
            )}
          </Field>
          <button type="submit" disabled={add.isPending}>
            {ct("episodes.add")}
          </button>
        </form>
      )}
    </section>
  );
}

/** Opening a care episode for a client, and adding or removing family members on it. */
export default function Episodes() {
  const { ct } = useClinicianT();
  const episodes = useEpisodes();
  return (
    <article className="clinician wide">
      <ClinicianNav />
      <h1>{ct("episodes.title")}</h1>
      <OpenEpisode />
      {episodes.isPending ? (
        <Loading />
      ) : !episodes.data ? (
        <LoadFailed error={episodes.error} />
      ) : (
        episodes.data.items.map((episode) => <Participants key={episode.episode_id} episode={episode} />)
      )}
    </article>
  );
}
