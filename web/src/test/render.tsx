import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { makeQueryClient } from "../api/queryClient";

/** A screen inside the app's providers, at `path` of a route `pattern`, with no retries (tests see the first answer). */
export function renderScreen(
  element: ReactElement,
  { path = "/", pattern = "/", client = makeQueryClient() }: { path?: string; pattern?: string; client?: QueryClient } = {},
) {
  client.setDefaultOptions({ queries: { retry: false, gcTime: Infinity }, mutations: { retry: false } });
  const router = createMemoryRouter(
    [
      { path: pattern, element },
      { path: "*", element: <p>elsewhere</p> },
    ],
    { initialEntries: [path] },
  );
  return render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
}
