import { api, unwrap } from "../api/client";
import { usePagedList } from "../api/pages";
import type { components } from "../api/schema";
import { ShowMore } from "../components/ShowMore";
import { formatDate } from "../i18n";
import { Loading } from "../screens/common";
import { shortReference } from "./clientReference";
import { useClinicianT } from "./i18n";

type Removal = components["schemas"]["EpisodeExpiryPublic"];

/** The care episodes of a supervisor's teams removed at the end of their clinical retention period (the goals
 * service's ledger, newest first, a page at a time): when, and each part of the service's report of its own removal,
 * or that it is still awaited. The client's records are gone, name included, so the episode and the client are shown
 * by their short references (never a whole id). */
export function Removals() {
  const { ct, language } = useClinicianT();
  const removals = usePagedList<Removal>(["episode-expiries"], (cursor) =>
    unwrap(api.GET("/api/v1/goals/episode-expiries", { params: { query: cursor ? { cursor } : {} } })),
  );
  const reference = (id: string) => ct("rights.removals.reference", { reference: shortReference(id) });
  return (
    <section aria-labelledby="removals-title">
      <h2 id="removals-title">{ct("rights.removals.title")}</h2>
      <p>{ct("rights.removals.intro")}</p>
      {removals.isPending ? (
        <Loading />
      ) : removals.isError && removals.items.length === 0 ? (
        <p role="alert">{ct("rights.removals.loadFailed")}</p>
      ) : removals.items.length === 0 ? (
        <p>{ct("rights.removals.none")}</p>
      ) : (
        <>
          {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a scrolling table must be reachable by keyboard (WCAG 2.1.1) */}
          <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="removals-caption">
            <table className="data-table">
              <caption id="removals-caption">{ct("rights.removals.caption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{ct("rights.removals.episode")}</th>
                  <th scope="col">{ct("rights.removals.client")}</th>
                  <th scope="col">{ct("rights.removals.removedOn")}</th>
                  <th scope="col">{ct("rights.removals.services")}</th>
                </tr>
              </thead>
              <tbody>
                {removals.items.map((r) => (
                  <tr key={r.episode_id}>
                    <th scope="row">{reference(r.episode_id)}</th>
                    <td>{reference(r.client_id)}</td>
                    <td>{formatDate(r.expired_at, language)}</td>
                    <td>
                      <ul className="needs">
                        {r.services.map((s) => (
                          <li key={s.service}>
                            {ct(`rights.service.${s.service}`, { defaultValue: s.service })}
                            {": "}
                            {s.applied && s.applied_at
                              ? ct("rights.removals.done", { when: formatDate(s.applied_at, language) })
                              : ct("rights.removals.waiting")}
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ShowMore list={removals} label={ct("rights.removals.more")} />
        </>
      )}
    </section>
  );
}
