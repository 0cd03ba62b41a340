/**
 * The admin portal's routes, hung below the signed-in frame by app/router.tsx. Every section is
 * its own lazily loaded chunk, so the portal costs the first page nothing.
 */
import { createRoute, lazyRouteComponent as lazy, type AnyRoute } from "@tanstack/react-router";
import { AdminIndex, AdminLayout } from "./AdminLayout.js";

export function adminRoutes<TParent extends AnyRoute>(getParentRoute: () => TParent) {
  const layout = createRoute({ getParentRoute, path: "/admin", component: AdminLayout });
  const parent = () => layout;
  return layout.addChildren([
    createRoute({ getParentRoute: parent, path: "/", component: AdminIndex }),
    createRoute({
      getParentRoute: parent,
      path: "/users",
      component: lazy(() => import("./users/UsersSection.js"), "UsersSection"),
    }),
    createRoute({
      getParentRoute: parent,
      path: "/users/$userId",
      component: lazy(() => import("./users/UserDetail.js"), "UserDetail"),
    }),
    createRoute({
      getParentRoute: parent,
      path: "/invitations",
      component: lazy(() => import("./users/InvitationsSection.js"), "InvitationsSection"),
    }),
    createRoute({
      getParentRoute: parent,
      path: "/roles",
      component: lazy(() => import("./roles/RolesSection.js"), "RolesSection"),
    }),
    createRoute({
      getParentRoute: parent,
      path: "/api-keys",
      component: lazy(() => import("./keys/ApiKeysSection.js"), "ApiKeysSection"),
    }),
    createRoute({
      getParentRoute: parent,
      path: "/webhooks",
      component: lazy(() => import("./webhooks/WebhooksSection.js"), "WebhooksSection"),
    }),
    createRoute({
      getParentRoute: parent,
      path: "/webhooks/$endpointId",
      component: lazy(() => import("./webhooks/EndpointDetail.js"), "EndpointDetail"),
    }),
    createRoute({
      getParentRoute: parent,
      path: "/sso",
      component: lazy(() => import("./sso/SsoSection.js"), "SsoSection"),
    }),
    createRoute({
      getParentRoute: parent,
      path: "/branding",
      component: lazy(() => import("./branding/BrandingSection.js"), "BrandingSection"),
    }),
    createRoute({
      getParentRoute: parent,
      path: "/security-log",
      component: lazy(() => import("./security/SecurityLogSection.js"), "SecurityLogSection"),
    }),
  ]);
}
