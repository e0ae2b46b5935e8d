/**
 * Sign-in and tokens. The 15-minute access token is renewed with the 30-day refresh token, so a
 * signed-in specialist can keep logging work offline for days: a missing network never signs
 * anyone out, only a refresh token the server refuses does (and then local data stays).
 */
import { META, type FeltloggDB, getMeta, setMeta } from "./db";
import { ENTITIES, type SignedInUser, type TokenPair } from "./types";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export const API = "/api/v1";

/** The network is not there (or the server could not be reached). */
export class OfflineError extends Error {
  constructor(cause?: unknown) {
    super("offline");
    this.name = "OfflineError";
    this.cause = cause;
  }
}

/** The server no longer accepts our credentials: the user must sign in again. */
export class SignedOutError extends Error {
  constructor() {
    super("signed out");
    this.name = "SignedOutError";
  }
}

export class LoginError extends Error {
  constructor(
    public readonly status: number,
    message: string,
    /** For 429: seconds until signing in may be tried again. */
    public readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "LoginError";
  }
}

export interface AuthDeps {
  db: FeltloggDB;
  fetch: FetchLike;
  now?: () => number;
  /** Prefix for API paths (tests and other origins); "" when served by the API itself. */
  origin?: string;
}

/**
 * A request that hangs (a network that is half there, as when a phone leaves a tunnel) would
 * hold the sync loop forever: after this long it counts as offline and is tried again.
 */
export const REQUEST_TIMEOUT_MS = 20_000;

async function send(deps: AuthDeps, path: string, init: RequestInit): Promise<Response> {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  try {
    return await deps.fetch(`${deps.origin ?? ""}${path}`, { ...init, signal });
  } catch (error) {
    throw new OfflineError(error);
  }
}

async function storePair(deps: AuthDeps, pair: TokenPair): Promise<void> {
  const now = (deps.now ?? Date.now)();
  await deps.db.transaction("rw", deps.db.meta, async () => {
    await setMeta(deps.db, META.accessToken, pair.access_token);
    await setMeta(deps.db, META.refreshToken, pair.refresh_token);
    await setMeta(deps.db, META.accessExpiresAt, now + (pair.expires_in ?? 900) * 1000);
    await setMeta(deps.db, META.needsLogin, null);
    if (pair.user) await setMeta(deps.db, META.user, pair.user);
  });
}

/** Sign in. Signing in as someone else clears the previous user's records and outbox. */
export async function login(deps: AuthDeps, email: string, password: string): Promise<SignedInUser> {
  const response = await send(deps, `${API}/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { detail?: string };
    const retryAfter = Number(response.headers.get("Retry-After"));
    throw new LoginError(response.status, problem.detail ?? response.statusText, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
  }
  const pair = (await response.json()) as TokenPair;
  const user = pair.user!;
  const previous = await getMeta<SignedInUser>(deps.db, META.user);
  if (previous && previous.id !== user.id) await clearUserData(deps.db, true);
  if (!previous || previous.id !== user.id) {
    await setMeta(deps.db, META.cursor, null);
    await setMeta(deps.db, META.initialDone, null);
  }
  await storePair(deps, pair);
  return user;
}

/** Drop synced records (and with `outbox`, unsent changes too). */
export async function clearUserData(db: FeltloggDB, outbox: boolean): Promise<void> {
  const tables = [...ENTITIES.map((e) => db.entity(e)), db.reports, db.meta, db.outbox];
  await db.transaction("rw", tables, async () => {
    for (const e of ENTITIES) await db.entity(e).clear();
    await db.reports.clear();
    if (outbox) await db.outbox.clear();
    for (const key of [META.cursor, META.lastSyncAt, META.initialDone]) await setMeta(db, key, null);
  });
}

/** Sign out on purpose: revoke the tokens if the server can be reached, forget everything. */
export async function logout(deps: AuthDeps): Promise<void> {
  const token = await getMeta<string>(deps.db, META.accessToken);
  if (token) {
    await send(deps, `${API}/auth/logout`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
    }).catch(() => undefined);
  }
  await clearUserData(deps.db, true);
  for (const key of [META.accessToken, META.refreshToken, META.accessExpiresAt, META.user, META.needsLogin]) {
    await setMeta(deps.db, key, null);
  }
}

let refreshing: Promise<void> | null = null;

/**
 * Get a new token pair with the refresh token. One refresh at a time; if another context (the
 * service worker, another tab) refreshed meanwhile, its new tokens are used instead.
 */
export function refreshTokens(deps: AuthDeps): Promise<void> {
  refreshing ??= (async () => {
    const refreshToken = await getMeta<string>(deps.db, META.refreshToken);
    if (!refreshToken) throw new SignedOutError();
    const response = await send(deps, `${API}/auth/refresh`, {
      method: "POST",
      headers: { Authorization: `Bearer ${refreshToken}` },
    });
    if (response.ok) {
      await storePair(deps, (await response.json()) as TokenPair);
      return;
    }
    if (response.status === 401 || response.status === 422) {
      const current = await getMeta<string>(deps.db, META.refreshToken);
      if (current && current !== refreshToken) return; // someone else refreshed first
      await setMeta(deps.db, META.needsLogin, true);
      throw new SignedOutError();
    }
    throw new OfflineError(new Error(`refresh answered ${response.status}`));
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** Renew the access token ahead of time when it is about to run out (and the network is there). */
export async function refreshIfDue(deps: AuthDeps, marginMs = 60_000): Promise<void> {
  const expiresAt = await getMeta<number>(deps.db, META.accessExpiresAt);
  const now = (deps.now ?? Date.now)();
  if (expiresAt !== undefined && expiresAt - now > marginMs) return;
  if (!(await getMeta<string>(deps.db, META.refreshToken))) return;
  await refreshTokens(deps);
}

/** fetch with the access token; on 401 refresh once and try again. */
export async function authorizedFetch(deps: AuthDeps, path: string, init: RequestInit = {}): Promise<Response> {
  const attempt = async (): Promise<Response> => {
    const token = await getMeta<string>(deps.db, META.accessToken);
    if (!token) throw new SignedOutError();
    const headers = new Headers(init.headers);
    headers.set("Authorization", `Bearer ${token}`);
    return send(deps, path, { ...init, headers });
  };
  const first = await attempt();
  if (first.status !== 401) return first;
  await refreshTokens(deps);
  const second = await attempt();
  if (second.status === 401) {
    await setMeta(deps.db, META.needsLogin, true);
    throw new SignedOutError();
  }
  return second;
}

export function currentUser(db: FeltloggDB): Promise<SignedInUser | undefined> {
  return getMeta<SignedInUser>(db, META.user);
}

/** Ask the server who we are (role changes), keeping the stored copy when offline. */
export async function refreshMe(deps: AuthDeps): Promise<SignedInUser | undefined> {
  const response = await authorizedFetch(deps, `${API}/auth/me`);
  if (!response.ok) return currentUser(deps.db);
  const me = (await response.json()) as SignedInUser;
  await setMeta(deps.db, META.user, me);
  return me;
}
