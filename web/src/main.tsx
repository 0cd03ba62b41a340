/** The app's entry: query cache, router, catalogues, and the sign-out that follows a dead session. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { onSignedOut } from "./api/transport.js";
import { makeRouter } from "./app/router.js";
import { meQuery } from "./app/session.js";
import "./i18n/index.js";
import "./styles.css";

const queries = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } },
});
const router = makeRouter(queries);

onSignedOut(() => {
  queries.setQueryData(meQuery.queryKey, null);
  void router.navigate({ to: "/sign-in" });
});

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queries}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  );
}
