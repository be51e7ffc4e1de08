import { useIsRestoring, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { createBrowserRouter, Navigate, RouterProvider, type RouteObject } from "react-router";
import { keys, usePreferences, useSession } from "./api/hooks";
import { loginUrl, OWNER_KEY, type Session } from "./auth/session";
import { ErrorPanel } from "./components/ErrorBoundary";
import { Layout } from "./components/Layout";
import { languageOf, setLanguage } from "./i18n";
import { startSync } from "./offline/sync";
// Today, the young person's first screen, comes with the app itself: as a chunk of its own it was fetched only once
// the session had answered, one round trip more before the first screen (2 s on a slow 3G connection, see
// docs/benchmarks.md), for about 4 KB gzipped.
import Today from "./screens/Today";

// Each screen is its own chunk: the first screen loads only what it shows. Today (imported above) is the exception.
const GoalDraft = lazy(() => import("./screens/GoalDraft"));
const GoalDetail = lazy(() => import("./screens/GoalDetail"));
const CheckIn = lazy(() => import("./screens/CheckIn"));
const Questionnaires = lazy(() => import("./screens/Questionnaires"));
const SessionFeedback = lazy(() => import("./screens/SessionFeedback"));
const Inbox = lazy(() => import("./screens/Inbox"));
const Settings = lazy(() => import("./screens/Settings"));
const HelpPage = lazy(() => import("./screens/HelpPage"));
const ConfirmEmail = lazy(() => import("./screens/ConfirmEmail"));
const FamilyHome = lazy(() => import("./screens/FamilyHome"));
const ClinicianHome = lazy(() => import("./screens/ClinicianHome"));
const NotFound = lazy(() => import("./screens/NotFound"));
const Caseload = lazy(() => import("./clinician/Caseload"));
const TeamCaseload = lazy(() => import("./clinician/TeamCaseload"));
const Outcomes = lazy(() => import("./clinician/Outcomes"));
const ClientReport = lazy(() => import("./clinician/ClientReport"));
const Episodes = lazy(() => import("./clinician/Episodes"));
const Reviews = lazy(() => import("./clinician/Reviews"));
const ErasureDecisions = lazy(() => import("./clinician/ErasureDecisions"));

export type Audience = "client" | "family" | "clinician";

export function audienceOf(session: Session): Audience {
  if (session.roles.includes("client")) return "client";
  if (session.roles.includes("family")) return "family";
  return "clinician"; // therapists and supervisors: their workspace comes in a later part
}

/** Routes per audience: a family member never has the young person's screens, and the clinician workspace slots
 * in here later. */
export function routesFor(audience: Audience): RouteObject[] {
  const shared: RouteObject[] = [
    { path: "inbox", element: <Inbox /> },
    { path: "settings", element: <Settings /> },
    { path: "confirm-email", element: <ConfirmEmail /> },
    { path: "help", element: <HelpPage /> },
    { path: "*", element: <NotFound /> },
  ];
  const own: Record<Audience, RouteObject[]> = {
    client: [
      { index: true, element: <Today /> },
      { path: "goals/new", element: <GoalDraft /> },
      { path: "goals/:goalId", element: <GoalDetail /> },
      { path: "goals/:goalId/edit", element: <GoalDraft /> },
      { path: "checkins", element: <CheckIn /> },
      { path: "questionnaires", element: <Questionnaires /> },
      { path: "feedback/:episodeId/:sessionId", element: <SessionFeedback /> },
    ],
    family: [
      { index: true, element: <FamilyHome /> },
      { path: "goals/:goalId", element: <GoalDetail /> },
      { path: "checkins", element: <Navigate to="/" replace /> },
    ],
    clinician: [
      { index: true, element: <Caseload /> },
      { path: "team", element: <TeamCaseload /> },
      { path: "outcomes", element: <Outcomes /> },
      { path: "clients/:clientId", element: <ClientReport /> },
      { path: "episodes", element: <Episodes /> },
      { path: "reviews", element: <Reviews /> },
      { path: "erasure-requests", element: <ErasureDecisions /> },
      { path: "welcome", element: <ClinicianHome /> },
    ],
  };
  return [{ path: "/", element: <Layout />, errorElement: <ErrorPanel />, children: [...own[audience], ...shared] }];
}

function Loading() {
  const { t } = useTranslation();
  return (
    <p className="loading" role="status">
      {t("common.loading")}
    </p>
  );
}


/** `seeded`: the page came with this person's first screen and its data (src/firstScreen.ts), so the screen is
 * rendered at once over the gateway's markup, without waiting for the kept data to be restored. */
export function App({ seeded = false }: { seeded?: boolean }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const session = useSession();
  const restoring = useIsRestoring();
  const me = session.data ?? undefined;
  const preferences = usePreferences(Boolean(me));

  // A different person signed in on this device: nothing of the last person's stays on screen. Checked before any
  // screen asks for data, so no screen holds on to a removed query.
  // Nothing to clear when the device's last owner is this person or nobody: checked already.
  const [checkedOwner, setCheckedOwner] = useState<string | null>(() => {
    const owner = me ? localStorage.getItem(OWNER_KEY) : undefined;
    return me && (owner === null || owner === me.subject) ? me.subject : null;
  });
  useEffect(() => {
    if (!me) return;
    const owner = localStorage.getItem(OWNER_KEY);
    if (owner !== null && owner !== me.subject)
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.session[0] });
    localStorage.setItem(OWNER_KEY, me.subject);
    // eslint-disable-next-line react-hooks/set-state-in-effect -- records that the clearing above has happened
    setCheckedOwner(me.subject);
  }, [client, me]);

  // Entries sent in the background (back online, or when the app opens) change the goals' progress: read it again.
  useEffect(() => {
    if (!me) return undefined;
    return startSync(me.subject, (goalIds) => {
      for (const id of goalIds) void client.invalidateQueries({ queryKey: keys.progress(id) });
      void client.invalidateQueries({ queryKey: keys.overview });
    });
  }, [client, me]);

  // The language follows the person's notification preference (they can change it in Settings).
  const locale = preferences.data?.locale;
  useEffect(() => {
    if (locale) void setLanguage(languageOf(locale));
  }, [locale]);

  // Only the gateway's own answer of this visit sends the person to sign in, never a remembered one.
  if (session.data === null && session.isFetchedAfterMount) {
    window.location.assign(loginUrl(window.location.pathname + window.location.search));
    return <Loading />;
  }
  if (!me) {
    if (session.isError)
      return (
        <main className="panel">
          <h1>{t("app.name")}</h1>
          <p role="alert">{t("common.offlineSignIn")}</p>
        </main>
      );
    return <Loading />;
  }
  // Screens start once the kept data is back from IndexedDB (and the owner checked), so none begins empty.
  if ((restoring && !seeded) || checkedOwner !== me.subject) return <Loading />;
  return <Routed audience={audienceOf(me)} />;
}

const routers = new Map<Audience, ReturnType<typeof createBrowserRouter>>();

function Routed({ audience }: { audience: Audience }) {
  let router = routers.get(audience);
  if (!router) {
    router = createBrowserRouter(routesFor(audience));
    routers.set(audience, router);
  }
  return (
    <Suspense fallback={<Loading />}>
      <RouterProvider router={router} />
    </Suspense>
  );
}
