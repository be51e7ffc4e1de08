import { PersistQueryClientProvider } from "@tanstack/react-query-persist-client";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { keepCacheWhenHidden, makeQueryClient, persistOptions, refreshAfterRestore } from "./api/queryClient";
import { App } from "./App";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { isSeeded, readFirstScreen, seedFirstScreen } from "./firstScreen";
import { startLanguage } from "./i18n";
import "./styles.css";

const queryClient = makeQueryClient();
// The young person's Today may have come rendered with the page, with the data it was rendered from: start from it.
const firstScreen = readFirstScreen();
const seeded = seedFirstScreen(queryClient, firstScreen);
// The language the page was rendered in, or the one saved on this device; Welsh strings fetched first if needed.
const language = seeded && firstScreen ? startLanguage(firstScreen.language) : startLanguage();

void language.then(() =>
  createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ErrorBoundary>
      <PersistQueryClientProvider
        client={queryClient}
        persistOptions={persistOptions}
        onSuccess={() => {
          keepCacheWhenHidden(queryClient);
          void refreshAfterRestore(queryClient, (key) => isSeeded(seeded ?? [], key));
        }}
      >
        <App seeded={seeded !== null} />
      </PersistQueryClientProvider>
    </ErrorBoundary>
  </StrictMode>,
  ),
);

// The service worker (src/sw.ts): the app shell offline and Web Push. Registered after first paint.
if ("serviceWorker" in navigator && import.meta.env.PROD) {
  window.addEventListener("load", () => {
    void import("virtual:pwa-register").then(({ registerSW }) => registerSW({ immediate: true }));
  });
}
