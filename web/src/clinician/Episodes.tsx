import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import { keys, useEpisodes, useSession } from "../api/hooks";
import { ApiError, errorFor, fieldErrors, otherErrors } from "../api/problem";
import type { Episode } from "../api/types";
import { Field, FormErrors } from "../components/Field";
import { formatDate } from "../i18n";
import { LoadFailed, Loading } from "../screens/common";
import { useClientName } from "./ClientName";
import { shortReference } from "./clientReference";
import { ClinicianNav } from "./ClinicianNav";
import { useClinicianT } from "./i18n";

function problemsOf(error: unknown): Record<string, string> {
  if (error instanceof ApiError) return fieldErrors(error.problem);
  return error instanceof Error ? { "": error.message } : {};
}

type Participant = Episode["participants"][number];

/** Who a participant is, in words, never their id: "You", the client by the name they prefer, a family member by
 * the name the lead therapist gave, or otherwise their role. */
function useParticipantName(episode: Episode, clientName: string | null | undefined) {
  const { ct } = useClinicianT();
  const me = useSession().data?.subject;
  return (p: Participant): string => {
    if (p.person_id === me) return ct("party.you");
    if (p.person_id === episode.client_id) return clientName ?? ct("party.client");
    return p.display_name ?? ct(`party.roles.${p.role}`, { defaultValue: ct("party.someone") });
  };
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
  const [form, setForm] = useState({ person_id: "", relationship_code: "parent", display_name: "" });
  const clientName = useClientName(episode.client_id).data;
  const nameOf = useParticipantName(episode, clientName);
  const done = () => void client.invalidateQueries({ queryKey: keys.episodes });
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/episodes/{episode_id}/participants", {
          params: { path: { episode_id: episode.episode_id } },
          // A blank name is left out: the episode then shows the family member by their role.
          body: { ...form, display_name: form.display_name.trim() || null },
        }),
      ),
    onSuccess: () => {
      setForm({ person_id: "", relationship_code: "parent", display_name: "" });
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
        {ct("episodes.episodeOf", {
          client: clientName ?? ct("episodes.unnamedClient", { ref: shortReference(episode.client_id) }),
        })}
      </h2>
      <p>{ct("episodes.opened", { when: formatDate(episode.opened_at, language), status: ct(`episodes.status.${episode.status}`) })}</p>
      {/* Where the client's preferred name is entered, and their goals followed. */}
      <p>
        <Link to={`/clients/${episode.client_id}`}>{ct("episodes.openRecord")}</Link>
      </p>
      <table className="data-table">
        <caption>{ct("episodes.participants")}</caption>
        <thead>
          <tr>
            <th scope="col">{ct("episodes.who")}</th>
            <th scope="col">{ct("episodes.role")}</th>
            <th scope="col">{ct("episodes.action")}</th>
          </tr>
        </thead>
        <tbody>
          {episode.participants.map((p) => (
            <tr key={p.person_id}>
              <th scope="row">{nameOf(p)}</th>
              <td>
                {p.relationship_code
                  ? ct("episodes.withRelationship", { role: ct(`episodes.roles.${p.role}`), relationship: p.relationship_code })
                  : ct(`episodes.roles.${p.role}`)}
              </td>
              <td>
                {p.role === "family" && (
                  <button type="button" disabled={remove.isPending} onClick={() => remove.mutate(p.person_id)}>
                    {ct("episodes.removeWho", { name: nameOf(p) })}
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
          <FormErrors messages={otherErrors(errors, ["person_id", "relationship_code", "display_name"])} />
          <Field label={ct("episodes.person")} error={errorFor(errors, "person_id")}>
            {(ids) => (
              <input {...ids} value={form.person_id} onChange={(e) => setForm({ ...form, person_id: e.target.value })} />
            )}
          </Field>
          <Field label={ct("episodes.name")} error={errorFor(errors, "display_name")}>
            {(ids) => (
              <input
                {...ids}
                maxLength={60}
                autoComplete="off"
                value={form.display_name}
                onChange={(e) => setForm({ ...form, display_name: e.target.value })}
              />
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
