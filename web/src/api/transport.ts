/**
 * The one Connect transport of the app. Browsers hold their session in HttpOnly cookies that
 * the API sets (docs/api.md, "Browsers"): nothing secret is kept in storage a script can read.
 * Every call echoes the readable `ek_csrf` cookie in `X-CSRF-Token`; the sign-in calls ask for
 * cookie sessions with `EventKit-Session: cookie`; a call refused as unauthenticated (the
 * 15-minute access cookie ran out) refreshes the session once and is sent again.
 */
import { Code, ConnectError, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { AuthService } from "../gen/eventkit/v1/auth_pb.js";

/** The AuthService calls that start or renew a session: they answer in cookies when asked. */
const COOKIE_SESSION_METHODS = new Set([
  "SignIn",
  "AcceptInvitation",
  "RefreshSession",
  "FinishSsoSignIn",
  "LinkSsoIdentity",
]);

/** Calls that must not trigger a refresh: they are how a session starts or ends. */
const NO_REFRESH_METHODS = new Set([...COOKIE_SESSION_METHODS, "SignOut", "GetInvitation"]);

export function readCookie(name: string, cookies: string = document.cookie): string | undefined {
  for (const part of cookies.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

const csrf: Interceptor = (next) => async (req) => {
  const token = readCookie("ek_csrf");
  if (token) req.header.set("X-CSRF-Token", token);
  if (req.service.typeName === AuthService.typeName && COOKIE_SESSION_METHODS.has(req.method.name)) {
    req.header.set("EventKit-Session", "cookie");
  }
  return next(req);
};

function baseTransport(interceptors: Interceptor[]): Transport {
  return createConnectTransport({
    baseUrl: window.location.origin,
    useHttpGet: true,
    interceptors,
    fetch: (input, init) => globalThis.fetch(input, { ...init, credentials: "same-origin" }),
  });
}

let refreshing: Promise<boolean> | undefined;

/**
 * Whether this browser may hold a session: the API sets the readable `ek_csrf` cookie beside the
 * HttpOnly session cookies and clears them together, so without it there is nothing to refresh
 * and nobody to ask GetMe about.
 */
export function mayHaveSession(): boolean {
  return readCookie("ek_csrf") !== undefined;
}

/** Renews the session from the refresh cookie; concurrent callers share one refresh. */
export function refreshSession(): Promise<boolean> {
  if (!mayHaveSession()) return Promise.resolve(false);
  refreshing ??= createClient(AuthService, baseTransport([csrf]))
    .refreshSession({})
    .then(
      () => true,
      () => false,
    )
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

/** Listeners told when the session is gone for good (the refresh failed too). */
const signedOutListeners = new Set<() => void>();
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

const refreshOnExpiry: Interceptor = (next) => async (req) => {
  try {
    return await next(req);
  } catch (err) {
    const expired = ConnectError.from(err).code === Code.Unauthenticated;
    if (!expired || NO_REFRESH_METHODS.has(req.method.name)) throw err;
    if (!(await refreshSession())) {
      signedOutListeners.forEach((listener) => listener());
      throw err;
    }
    return await next(req);
  }
};

export const transport = baseTransport([refreshOnExpiry, csrf]);
