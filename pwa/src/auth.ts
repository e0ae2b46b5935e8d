/**
 * Sign-in and tokens. The 15-minute access token is renewed with the 30-day refresh token, so a
 * signed-in specialist can keep logging work offline for days: a missing network never signs
 * anyone out, only a refresh token the server refuses does, and then the outbox stays until the
 * same user signs in again (or the user chooses to discard it).
 *
 * The page, other tabs and the service worker share the tokens in IndexedDB. A refresh token
 * works once: two contexts refreshing with the same one at the same moment would look like a
 * stolen token to the server, which then ends the sign-in. So a refresh runs under a Web Lock
 * (one at a time across every context of the origin), and inside it the stored tokens are read
 * again: if another context already refreshed, its tokens are used and the server is not asked.
 */
import { META, type FeltloggDB, getMeta, setMeta } from "./db";
import { ENTITIES, type SignedInUser, type TokenPair } from "./types";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export const API = "/api/v1";

/** The name of the Web Lock every context takes to refresh the tokens. */
export const REFRESH_LOCK = "feltlogg-token-refresh";

/** An access token this close to its end is renewed ahead of time. */
export const REFRESH_MARGIN_MS = 60_000;

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

/**
 * Signing in as someone else while the previous user's changes have not reached the server:
 * nothing was changed on the phone. Sign in as `previous` to send them, or sign in again with
 * `discardUnsent` to drop them.
 */
export class UnsentChangesError extends Error {
  constructor(
    public readonly previous: SignedInUser,
    public readonly count: number,
  ) {
    super("unsent changes of another user");
    this.name = "UnsentChangesError";
  }
}

/** The part of the Web Locks API used here (navigator.locks in windows and workers). */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export interface AuthDeps {
  db: FeltloggDB;
  fetch: FetchLike;
  now?: () => number;
  /** Prefix for API paths (tests and other origins); "" when served by the API itself. */
  origin?: string;
  /** Locks shared with the other contexts; default navigator.locks, null for none. */
  locks?: LockManagerLike | null;
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

/** A request with `token` as its bearer, sent now (authorizedFetch can take it as its first attempt). */
export function sendWith(deps: AuthDeps, path: string, token: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return send(deps, path, { ...init, headers });
}

/** The stable `code` of a problem+json answer, if it has one (the body stays readable). */
export async function problemCode(response: Response): Promise<string | undefined> {
  const body = (await response.clone().json().catch(() => null)) as { code?: unknown } | null;
  return typeof body?.code === "string" ? body.code : undefined;
}

/** 401 codes that say the sign-in itself has ended: no refresh can help. */
const SIGN_IN_ENDED = new Set(["signed_out", "account_inactive"]);

function lockManager(deps: AuthDeps): LockManagerLike | null {
  if (deps.locks !== undefined) return deps.locks;
  const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
  if (!locks) return null;
  return { request: <T>(name: string, callback: () => Promise<T>) => locks.request(name, () => callback()) as Promise<T> };
}

/**
 * Store a new pair. With `replacing`, only if the stored refresh token is still that one (a
 * sign-in or sign-out in another context meanwhile wins); false when it was not stored.
 */
async function storePair(deps: AuthDeps, pair: TokenPair, replacing?: string): Promise<boolean> {
  const now = (deps.now ?? Date.now)();
  return deps.db.transaction("rw", deps.db.meta, async () => {
    if (replacing !== undefined && (await getMeta<string>(deps.db, META.refreshToken)) !== replacing) return false;
    await setMeta(deps.db, META.accessToken, pair.access_token);
    await setMeta(deps.db, META.refreshToken, pair.refresh_token);
    await setMeta(deps.db, META.accessExpiresAt, now + (pair.expires_in ?? 900) * 1000);
    await setMeta(deps.db, META.needsLogin, null);
    if (pair.user) await setMeta(deps.db, META.user, pair.user);
    return true;
  });
}

/**
 * The sign-in has ended: ask for a new one, keeping the user, the records and the outbox. Only
 * if the stored tokens are still the ones refused (another context may have signed in anew);
 * false when they were not.
 */
async function markSignedOut(db: FeltloggDB, refused: { accessToken?: string; refreshToken?: string }): Promise<boolean> {
  return db.transaction("rw", db.meta, async () => {
    if (refused.accessToken !== undefined && (await getMeta<string>(db, META.accessToken)) !== refused.accessToken) return false;
    if (refused.refreshToken !== undefined && (await getMeta<string>(db, META.refreshToken)) !== refused.refreshToken) return false;
    await setMeta(db, META.needsLogin, true);
    return true;
  });
}

/** How many changes wait in the outbox (rejected ones included). */
export function unsentCount(db: FeltloggDB): Promise<number> {
  return db.outbox.count();
}

export interface LoginOptions {
  /** The previous user's unsent changes may be dropped (the user confirmed it). */
  discardUnsent?: boolean;
}

/**
 * Sign in. The same user again keeps everything (and the waiting changes go out with the next
 * sync). Someone else: the previous user's records are dropped, and their unsent changes only
 * with `discardUnsent`; without it, UnsentChangesError and nothing on the phone changes.
 */
export async function login(deps: AuthDeps, email: string, password: string, options: LoginOptions = {}): Promise<SignedInUser> {
  const { db } = deps;
  const previous = await getMeta<SignedInUser>(db, META.user);
  const typed = email.trim().toLowerCase();
  if (previous?.email && previous.email.toLowerCase() !== typed && !options.discardUnsent) {
    // Ask before the server is: no tokens are issued for a sign-in that may not go ahead.
    const waiting = await unsentCount(db);
    if (waiting > 0) throw new UnsentChangesError(previous, waiting);
  }
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
  const otherUser = Boolean(previous && previous.id !== user.id);
  if (previous && otherUser && !options.discardUnsent) {
    const waiting = await unsentCount(db);
    if (waiting > 0) {
      // The server says this is someone else (the check by e-mail above could not tell): end
      // the new sign-in again, and leave the phone as it was.
      await revoke(deps, pair.access_token);
      throw new UnsentChangesError(previous, waiting);
    }
  }
  if (otherUser) await clearUserData(db, true);
  if (!previous || otherUser) {
    await setMeta(db, META.cursor, null);
    await setMeta(db, META.initialDone, null);
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

/** End one sign-in on the server, if it can be reached. */
async function revoke(deps: AuthDeps, accessToken: string | undefined): Promise<void> {
  if (!accessToken) return;
  await send(deps, `${API}/auth/logout`, {
    method: "POST",
    headers: { Authorization: `Bearer ${accessToken}` },
  }).catch(() => undefined);
}

/** Forget the user on this phone: records, outbox and tokens. */
async function forgetUser(db: FeltloggDB): Promise<void> {
  await clearUserData(db, true);
  for (const key of [META.accessToken, META.refreshToken, META.accessExpiresAt, META.user, META.needsLogin]) {
    await setMeta(db, key, null);
  }
}

/** Sign out on purpose: revoke the tokens if the server can be reached, forget everything. */
export async function logout(deps: AuthDeps): Promise<void> {
  await revoke(deps, await getMeta<string>(deps.db, META.accessToken));
  await forgetUser(deps.db);
}

/** Sign out on every device (this one included), then forget everything here. */
export async function signOutEverywhere(deps: AuthDeps): Promise<void> {
  const response = await authorizedFetch(deps, `${API}/auth/sign-out-all`, { method: "POST" });
  if (!response.ok) throw new Error(`sign-out-all answered ${response.status}`);
  await forgetUser(deps.db);
}

/** What a context knew when it decided to refresh. */
export interface RefreshBasis {
  /** The refresh token it saw then (read now if not given). */
  refreshToken?: string;
  /** The access token the server has just refused: a new one is needed even if it looks fresh. */
  rejectedAccessToken?: string;
  /** Otherwise the stored access token is good enough when it has this long left. */
  marginMs?: number;
}

/** Refreshes running in this context, per database (the fallback where there are no Web Locks). */
const refreshing = new WeakMap<FeltloggDB, Promise<void>>();

/**
 * Get a new token pair with the refresh token. One refresh at a time: in this context by sharing
 * the running one, across contexts by the Web Lock; inside it, tokens another context has
 * refreshed meanwhile are used instead of asking the server.
 */
export function refreshTokens(deps: AuthDeps, basis: RefreshBasis = {}): Promise<void> {
  const running = refreshing.get(deps.db);
  if (running) return running;
  const promise = (async () => {
    const seen = basis.refreshToken ?? (await getMeta<string>(deps.db, META.refreshToken));
    const work = () => refreshHoldingLock(deps, { ...basis, refreshToken: seen });
    const locks = lockManager(deps);
    await (locks ? locks.request(REFRESH_LOCK, work) : work());
  })().finally(() => {
    refreshing.delete(deps.db);
  });
  refreshing.set(deps.db, promise);
  return promise;
}

async function refreshHoldingLock(deps: AuthDeps, basis: RefreshBasis): Promise<void> {
  const { db } = deps;
  const [refreshToken, accessToken, expiresAt, needsLogin] = await Promise.all([
    getMeta<string>(db, META.refreshToken),
    getMeta<string>(db, META.accessToken),
    getMeta<number>(db, META.accessExpiresAt),
    getMeta<boolean>(db, META.needsLogin),
  ]);
  if (!refreshToken) throw new SignedOutError();
  // Another context refreshed (or signed in anew) since this one looked: use its tokens.
  if (basis.refreshToken !== undefined && refreshToken !== basis.refreshToken) return;
  if (needsLogin) throw new SignedOutError();
  if (basis.rejectedAccessToken !== undefined) {
    if (accessToken !== basis.rejectedAccessToken) return;
  } else {
    const now = (deps.now ?? Date.now)();
    if (accessToken && typeof expiresAt === "number" && expiresAt - now > (basis.marginMs ?? REFRESH_MARGIN_MS)) return;
  }
  const response = await send(deps, `${API}/auth/refresh`, {
    method: "POST",
    headers: { Authorization: `Bearer ${refreshToken}` },
  });
  if (response.ok) {
    await storePair(deps, (await response.json()) as TokenPair, refreshToken);
    return;
  }
  if (response.status === 401 || response.status === 422) {
    // Revoked, deactivated, or past its 30 days: only a new sign-in helps. The outbox stays.
    if (await markSignedOut(db, { refreshToken })) throw new SignedOutError();
    return; // a new sign-in was stored meanwhile
  }
  throw new OfflineError(new Error(`refresh answered ${response.status}`));
}

/** What refreshIfDue decides on, as stored; a caller that has just read it passes it in. */
export interface StoredSignIn {
  accessExpiresAt?: number;
  refreshToken?: string;
  needsLogin?: boolean;
  accessToken?: string;
}

/** The stored sign-in, read in one go. */
export async function readSignIn(db: FeltloggDB): Promise<StoredSignIn> {
  const [expiresAt, refreshToken, needsLogin, accessToken] = await db.meta.bulkGet([
    META.accessExpiresAt,
    META.refreshToken,
    META.needsLogin,
    META.accessToken,
  ]);
  return {
    accessExpiresAt: expiresAt?.value as number | undefined,
    refreshToken: refreshToken?.value as string | undefined,
    needsLogin: needsLogin?.value as boolean | undefined,
    accessToken: accessToken?.value as string | undefined,
  };
}

/**
 * Renew the access token ahead of time when it is about to run out (and the network is there).
 * Returns whether it asked the server (the stored tokens may then have changed).
 */
export async function refreshIfDue(deps: AuthDeps, marginMs = REFRESH_MARGIN_MS, stored?: StoredSignIn): Promise<boolean> {
  const { accessExpiresAt: expiresAt, refreshToken, needsLogin } = stored ?? (await readSignIn(deps.db));
  if (needsLogin) throw new SignedOutError();
  const now = (deps.now ?? Date.now)();
  if (expiresAt !== undefined && expiresAt - now > marginMs) return false;
  if (!refreshToken) return false;
  await refreshTokens(deps, { refreshToken, marginMs });
  return true;
}

/**
 * fetch with the access token. A 401 that says the token ran out (or is not valid) refreshes once
 * and tries again; one that says the sign-in has ended asks for a new sign-in straight away.
 * Once a new sign-in is needed, nothing is sent until it has happened.
 */
export async function authorizedFetch(
  deps: AuthDeps,
  path: string,
  init: RequestInit = {},
  stored?: StoredSignIn,
  sent?: Promise<Response>,
): Promise<Response> {
  // `stored`: the sign-in as the caller has just read it, for the first attempt only.
  // `sent`: that first attempt, already sent with stored's access token.
  let known = stored;
  let early = sent;
  const attempt = async (): Promise<{ token: string; response: Response }> => {
    const { accessToken: token, needsLogin } = known ?? (await readSignIn(deps.db));
    known = undefined;
    if (!token || needsLogin) throw new SignedOutError();
    const response = early ?? sendWith(deps, path, token, init);
    early = undefined;
    return { token, response: await response };
  };
  const first = await attempt();
  if (first.response.status !== 401) return first.response;
  const code = await problemCode(first.response);
  if (code !== undefined && SIGN_IN_ENDED.has(code)) {
    if (await markSignedOut(deps.db, { accessToken: first.token })) throw new SignedOutError();
    // another context signed in anew meanwhile: try with its token
  } else {
    await refreshTokens(deps, { rejectedAccessToken: first.token });
  }
  const second = await attempt();
  if (second.response.status === 401) {
    await markSignedOut(deps.db, { accessToken: second.token });
    throw new SignedOutError();
  }
  return second.response;
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
