/**
 * The routes. Pages before sign-in are public; every other page sits in the Shell and sends a
 * signed-out person to /sign-in (and back where they were going afterwards).
 */
import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { scanSearch } from "../features/scanning/search.js";
import { AcceptInvitation } from "../pages/AcceptInvitation.js";
import { Dashboard } from "../pages/Dashboard.js";
import { validateCalendarSearch } from "../features/planning/calendar.js";
import { validateEventsSearch } from "../features/planning/eventFilters.js";
import { ForgotPassword, ResetPassword } from "../pages/PasswordReset.js";
import { SignIn } from "../pages/SignIn.js";
import { adminRoutes } from "../features/admin/routes.js";
import { meQuery } from "./session.js";
import { Shell } from "./Shell.js";

interface Context {
  queries: QueryClient;
}

const root = createRootRouteWithContext<Context>()({ component: Outlet });

const tokenSearch = (search: Record<string, unknown>) => ({
  token: typeof search.token === "string" ? search.token : "",
});

const signIn = createRoute({
  getParentRoute: () => root,
  path: "/sign-in",
  component: SignIn,
});
const forgotPassword = createRoute({
  getParentRoute: () => root,
  path: "/forgot-password",
  component: ForgotPassword,
});
const resetPassword = createRoute({
  getParentRoute: () => root,
  path: "/reset-password",
  validateSearch: tokenSearch,
  component: function ResetPasswordRoute() {
    return <ResetPassword token={resetPassword.useSearch().token} />;
  },
});
const acceptInvitation = createRoute({
  getParentRoute: () => root,
  path: "/accept-invitation",
  validateSearch: tokenSearch,
  component: function AcceptInvitationRoute() {
    return <AcceptInvitation token={acceptInvitation.useSearch().token} />;
  },
});

const signedIn = createRoute({
  getParentRoute: () => root,
  id: "signed-in",
  beforeLoad: async ({ context }) => {
    const me = await context.queries.ensureQueryData(meQuery);
    if (!me) throw redirect({ to: "/sign-in" });
  },
  component: Shell,
});
const dashboard = createRoute({ getParentRoute: () => signedIn, path: "/", component: Dashboard });
const inventoryPage = (name: keyof typeof import("../features/inventory/routes.js")) =>
  lazyRouteComponent(() => import("../features/inventory/routes.js"), name);
const assets = createRoute({
  getParentRoute: () => signedIn,
  path: "/assets",
  validateSearch: (search: Record<string, unknown>): { productId?: string; locationId?: string } => ({
    productId: typeof search.productId === "string" ? search.productId : undefined,
    locationId: typeof search.locationId === "string" ? search.locationId : undefined,
  }),
  component: inventoryPage("AssetsPage"),
});
const inventoryRoutes = [
  assets,
  createRoute({ getParentRoute: () => signedIn, path: "/assets/$assetId", component: inventoryPage("AssetDetail") }),
  createRoute({ getParentRoute: () => signedIn, path: "/products", component: inventoryPage("ProductsPage") }),
  createRoute({ getParentRoute: () => signedIn, path: "/products/$productId", component: inventoryPage("ProductDetail") }),
  createRoute({ getParentRoute: () => signedIn, path: "/kits", component: inventoryPage("KitsPage") }),
  createRoute({ getParentRoute: () => signedIn, path: "/cases", component: inventoryPage("CasesPage") }),
  createRoute({ getParentRoute: () => signedIn, path: "/cases/$caseId", component: inventoryPage("CaseDetail") }),
  createRoute({ getParentRoute: () => signedIn, path: "/locations", component: inventoryPage("LocationsPage") }),
] as const;
const events = createRoute({
  getParentRoute: () => signedIn,
  path: "/events",
  validateSearch: validateEventsSearch,
  component: lazyRouteComponent(() => import("../features/planning/EventsPage.js"), "EventsPage"),
});
const eventDetail = createRoute({
  getParentRoute: () => signedIn,
  path: "/events/$eventId",
  component: lazyRouteComponent(() => import("../features/planning/EventDetailPage.js"), "EventDetailPage"),
});
const calendar = createRoute({
  getParentRoute: () => signedIn,
  path: "/calendar",
  validateSearch: validateCalendarSearch,
  component: lazyRouteComponent(() => import("../features/planning/CalendarPage.js"), "CalendarPage"),
});
const scan = createRoute({
  getParentRoute: () => signedIn,
  path: "/scan",
  validateSearch: scanSearch,
  component: lazyRouteComponent(() => import("../features/scanning/ScanPage.js"), "ScanPage"),
});

const routeTree = root.addChildren([
  signIn,
  forgotPassword,
  resetPassword,
  acceptInvitation,
  signedIn.addChildren([dashboard, ...inventoryRoutes, events, eventDetail, calendar, scan, adminRoutes(() => signedIn)]),
]);

export function makeRouter(queries: QueryClient) {
  return createRouter({ routeTree, context: { queries }, defaultPreload: "intent" });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof makeRouter>;
  }
}
