import { Suspense, useSyncExternalStore } from "react";
import { useTranslation } from "react-i18next";
import { NavLink, Outlet } from "react-router";
import { useSession, useUnread } from "../api/hooks";
import { logout } from "../auth/session";
import { useLiveInbox } from "../clinician/useLiveInbox";
import { QueueStatus } from "./QueueStatus";

function subscribeOnline(notify: () => void) {
  window.addEventListener("online", notify);
  window.addEventListener("offline", notify);
  return () => {
    window.removeEventListener("online", notify);
    window.removeEventListener("offline", notify);
  };
}

export function useOnline(): boolean {
  return useSyncExternalStore(subscribeOnline, () => navigator.onLine);
}

export function Layout() {
  const { t } = useTranslation();
  const session = useSession().data ?? undefined;
  const online = useOnline();
  const unread = useUnread(Boolean(session)).data?.unread ?? 0;
  useLiveInbox(Boolean(session)); // the unread count follows the notifications stream, without a reload
  const isClient = session?.roles.includes("client") ?? false;
  return (
    <>
      <a className="skip-link" href="#main">
        {t("nav.skip")}
      </a>
      <header className="app-header">
        <span className="app-name">{t("app.name")}</span>
        <NavLink className="help-link" to="/help">
          {t("nav.help")}
        </NavLink>
      </header>
      <nav className="app-nav" aria-label={t("nav.main")}>
        <ul>
          <li>
            <NavLink to="/" end>
              {t("nav.today")}
            </NavLink>
          </li>
          {isClient && (
            <li>
              <NavLink to="/checkins">{t("nav.checkin")}</NavLink>
            </li>
          )}
          <li>
            <NavLink to="/inbox">
              {t("nav.inbox")}
              {unread > 0 && (
                <span className="badge">
                  <span aria-hidden="true">{unread}</span>
                  <span className="visually-hidden">{t("nav.unread", { count: unread })}</span>
                </span>
              )}
            </NavLink>
          </li>
          <li>
            <NavLink to="/settings">{t("nav.settings")}</NavLink>
          </li>
        </ul>
      </nav>
      {!online && (
        <p className="offline-banner" role="status">
          {t("common.offline")}
        </p>
      )}
      <main id="main" tabIndex={-1}>
        {session && <QueueStatus owner={session.subject} />}
        <Suspense
          fallback={
            <p className="loading" role="status">
              {t("common.loading")}
            </p>
          }
        >
          <Outlet />
        </Suspense>
      </main>
      <footer className="app-footer">
        <button type="button" className="link-button" onClick={() => void logout()}>
          {t("nav.signOut")}
        </button>
      </footer>
    </>
  );
}
