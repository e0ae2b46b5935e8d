/**
 * The service's people, teams and caseloads over the API, and the passwords people choose
 * themselves. None of this is queued offline: an invitation or a transfer is done while the
 * admin watches, or not at all. Every refusal becomes an ApiError carrying the server's stable
 * `code` (or, where the answer has none, the code its HTTP status stands for), and
 * `problemText` / `fieldProblems` put it in the user's language: the English `detail` is never
 * shown.
 */
import type { components } from "./api";
import { API, type AuthDeps, OfflineError, REQUEST_TIMEOUT_MS, SignedOutError, authorizedFetch } from "./auth";
import { type MessageKey, t, tEnum } from "./i18n";
import { codeForStatus, fieldMessageText, waitText } from "./problems";

type Schemas = components["schemas"];

export type Role = Schemas["User"]["role"];
export const ROLES: readonly Role[] = ["specialist", "supervisor", "participant", "admin"];

export type User = Omit<Schemas["User"], "password"> & { id: string; is_active: boolean };
export type Team = Schemas["Team"] & { id: string };
export type PasswordLink = Required<Schemas["PasswordLink"]>;
export type LinkOwner = Required<Schemas["PasswordLinkOwner"]>;
export type Participant = Schemas["Participant"] & { id: string; specialist_id: string; first_name: string; last_name: string };

/**
 * The shortest password the server takes (docs/security.md, PASSWORD_MIN_LENGTH). Known here only
 * to say it in words and to explain a refusal: the server alone decides.
 */
export const MIN_PASSWORD_LENGTH = 15;
const MAX_PASSWORD_LENGTH = 128;

/** A refusal from the API: the HTTP status, the stable code, and what is wrong per field. */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    public readonly detail: string,
    public readonly errors: Record<string, unknown> = {},
    public readonly retryAfterSeconds: number | null = null,
  ) {
    super(detail);
    this.name = "ApiError";
  }
}

async function apiError(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as { code?: unknown; detail?: unknown; errors?: unknown } | null;
  const code = typeof body?.code === "string" ? body.code : codeForStatus(response.status);
  const detail = typeof body?.detail === "string" ? body.detail : response.statusText;
  const errors = body?.errors && typeof body.errors === "object" && !Array.isArray(body.errors) ? (body.errors as Record<string, unknown>) : {};
  const retryAfter = Number(response.headers.get("Retry-After"));
  return new ApiError(response.status, code, detail, errors, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
}

function jsonInit(method: string, body?: unknown): RequestInit {
  if (body === undefined) return { method };
  return { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}

/** A signed-in request; a refusal is thrown as ApiError. */
async function signedIn(deps: AuthDeps, method: string, path: string, body?: unknown): Promise<Response> {
  const response = await authorizedFetch(deps, `${API}${path}`, jsonInit(method, body));
  if (!response.ok) throw await apiError(response);
  return response;
}

/** A request that needs no sign-in (a one-time password link is all the person has). */
async function open(deps: AuthDeps, path: string, body: unknown): Promise<Response> {
  let response: Response;
  try {
    response = await deps.fetch(`${deps.origin ?? ""}${API}${path}`, { ...jsonInit("POST", body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw new OfflineError(error);
  }
  if (!response.ok) throw await apiError(response);
  return response;
}

function query(values: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== "") params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

export interface Pagination {
  total: number;
  totalPages: number;
  page: number;
}

/** The X-Pagination header of a list; without it, the list is all there is. */
export function readPagination(response: Response, count: number): Pagination {
  try {
    const header = JSON.parse(response.headers.get("X-Pagination") ?? "null") as { total?: number; total_pages?: number; page?: number } | null;
    if (header && typeof header.total === "number") {
      return { total: header.total, totalPages: header.total_pages ?? 1, page: header.page ?? 1 };
    }
  } catch {
    // an unreadable header: treat the answer as the whole list
  }
  return { total: count, totalPages: 1, page: 1 };
}

/** The server's largest page: a service's users or one specialist's caseload fit in one or two. */
const LIST_PAGE_SIZE = 500;
/** A bound on pages fetched for one list, so that a misbehaving server cannot loop us. */
const MAX_PAGES = 50;

/** Every item of a paginated list, page by page. */
async function everyPage<T>(deps: AuthDeps, path: string, filters: Record<string, string | boolean | undefined>): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const response = await signedIn(deps, "GET", `${path}${query({ ...filters, page, page_size: LIST_PAGE_SIZE })}`);
    const batch = (await response.json()) as T[];
    items.push(...batch);
    const pagination = readPagination(response, batch.length);
    if (page >= pagination.totalPages || batch.length === 0) break;
  }
  return items;
}

// --- Users -----------------------------------------------------------------------------------

export interface UserFilters {
  team_id?: string;
  role?: Role;
  include_inactive?: boolean;
}

/** One page of users, as the server pages them. */
export async function listUsers(deps: AuthDeps, filters: UserFilters, page = 1, pageSize = 50): Promise<{ users: User[]; pagination: Pagination }> {
  const response = await signedIn(deps, "GET", `/users${query({ ...filters, page, page_size: pageSize })}`);
  const users = (await response.json()) as User[];
  return { users, pagination: readPagination(response, users.length) };
}

/** Every user matching the filters (the screens search and page through them on the phone). */
export function allUsers(deps: AuthDeps, filters: UserFilters = {}): Promise<User[]> {
  return everyPage<User>(deps, "/users", { ...filters });
}

export async function getUser(deps: AuthDeps, id: string): Promise<User> {
  return (await (await signedIn(deps, "GET", `/users/${encodeURIComponent(id)}`)).json()) as User;
}

export interface NewUser {
  name: string;
  email: string;
  role: Role;
  team_id: string | null;
  participant_id?: string | null;
}

/** Create an account without a password: the answer's link lets the person choose their own. */
export async function inviteUser(deps: AuthDeps, user: NewUser): Promise<User & { password_link: PasswordLink }> {
  const body: Record<string, unknown> = { name: user.name, email: user.email, role: user.role, team_id: user.team_id };
  if (user.role === "participant") body.participant_id = user.participant_id ?? null;
  return (await (await signedIn(deps, "POST", "/users", body)).json()) as User & { password_link: PasswordLink };
}

export type UserChanges = Partial<Pick<User, "name" | "email" | "role" | "team_id" | "is_active" | "fte">>;

export async function updateUser(deps: AuthDeps, id: string, changes: UserChanges): Promise<User> {
  return (await (await signedIn(deps, "PATCH", `/users/${encodeURIComponent(id)}`, changes)).json()) as User;
}

/** A new one-time link (a forgotten password, or an invitation again); earlier links stop working. */
export async function newPasswordLink(deps: AuthDeps, id: string): Promise<PasswordLink> {
  return (await (await signedIn(deps, "POST", `/users/${encodeURIComponent(id)}/password-link`)).json()) as PasswordLink;
}

/** End every sign-in of a user (a lost phone): their devices ask for a new sign-in. */
export async function signOutUserEverywhere(deps: AuthDeps, id: string): Promise<void> {
  await signedIn(deps, "POST", `/users/${encodeURIComponent(id)}/sign-out-all`);
}

/** The full address of a one-time link, for the admin to hand over. */
export function linkUrl(link: Pick<PasswordLink, "path">, origin: string): string {
  return `${origin.replace(/\/$/, "")}${link.path}`;
}

// --- Teams -----------------------------------------------------------------------------------

export function allTeams(deps: AuthDeps): Promise<Team[]> {
  return everyPage<Team>(deps, "/teams", {});
}

export async function createTeam(deps: AuthDeps, name: string): Promise<Team> {
  return (await (await signedIn(deps, "POST", "/teams", { name })).json()) as Team;
}

export async function renameTeam(deps: AuthDeps, id: string, name: string): Promise<Team> {
  return (await (await signedIn(deps, "PATCH", `/teams/${encodeURIComponent(id)}`, { name })).json()) as Team;
}

// --- Caseload transfers ----------------------------------------------------------------------

/** The participants of these specialists (an admin reads them without note fields). */
export async function participantsOf(deps: AuthDeps, specialistIds: string[]): Promise<Participant[]> {
  const lists = await Promise.all(specialistIds.map((id) => everyPage<Participant>(deps, "/participants", { specialist_id: id })));
  return lists.flat();
}

/** Move a participant to another specialist of their team; both specialists' phones follow at their next sync. */
export async function transferParticipant(deps: AuthDeps, participantId: string, specialistId: string): Promise<Participant> {
  const response = await signedIn(deps, "POST", `/participants/${encodeURIComponent(participantId)}/transfer`, { specialist_id: specialistId });
  return (await response.json()) as Participant;
}

// --- Passwords -------------------------------------------------------------------------------

/** Whose account a one-time link is for. */
export async function lookUpPasswordLink(deps: AuthDeps, code: string): Promise<LinkOwner> {
  return (await (await open(deps, "/auth/password-link/lookup", { code })).json()) as LinkOwner;
}

/** Set one's own password with a one-time link (every sign-in of the account ends). */
export async function setPasswordWithLink(deps: AuthDeps, code: string, password: string): Promise<void> {
  await open(deps, "/auth/password-link", { code, password });
}

/** Change one's own password; the other sign-ins of the account end, this one goes on. */
export async function changeOwnPassword(deps: AuthDeps, currentPassword: string, newPassword: string): Promise<void> {
  await signedIn(deps, "POST", "/auth/password", { current_password: currentPassword, new_password: newPassword });
}

// --- What went wrong, in the user's language -------------------------------------------------

/** What the action was about: the same code means different things for a team and a user. */
export type Topic = "user" | "team" | "transfer" | "password" | "link";

/**
 * Why a new password was refused. The server's reasons (too short, too long, too common, built
 * on the e-mail address or the service's name) share one code; the length tells the first two.
 */
export function passwordRefusal(password: string | undefined): string {
  if (password === undefined) return t("apiError.weakPassword", { min: MIN_PASSWORD_LENGTH });
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return t("apiError.passwordTooShort", { min: MIN_PASSWORD_LENGTH, length });
  if (length > MAX_PASSWORD_LENGTH) return t("apiError.passwordTooLong", { max: MAX_PASSWORD_LENGTH });
  return t("apiError.passwordTooCommon");
}

const FIELD_MESSAGES: Record<string, MessageKey> = {
  password: "apiError.field.password",
  new_password: "apiError.field.password",
  email: "apiError.field.email",
  name: "apiError.field.name",
  role: "apiError.field.role",
  team_id: "apiError.field.team",
  participant_id: "apiError.field.participant",
  specialist_id: "apiError.field.specialist",
  fte: "apiError.field.fte",
};

function serverWords(value: unknown): string {
  if (Array.isArray(value)) return value.map(serverWords).join(" ");
  if (typeof value === "string") return fieldMessageText(value);
  if (value && typeof value === "object") return Object.values(value as Record<string, unknown>).map(serverWords).join(" ");
  return String(value);
}

/** What is wrong per field, translated: the forms put each message by its field. */
export function fieldProblems(error: unknown, options: { topic?: Topic; password?: string } = {}): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const taken = error.code === "conflict" || error.code === "constraint";
  const problems: Record<string, string> = {};
  for (const [field, value] of Object.entries(error.errors)) {
    if ((field === "password" || field === "new_password") && error.code === "weak_password") problems[field] = passwordRefusal(options.password);
    else if (field === "current_password") problems[field] = t("apiError.wrongPassword");
    else if (field === "email" && taken) problems[field] = t("apiError.emailTaken");
    else if (field === "name" && taken && options.topic === "team") problems[field] = t("apiError.teamNameTaken");
    else if (FIELD_MESSAGES[field]) problems[field] = t(FIELD_MESSAGES[field]!);
    else problems[field] = `${tEnum("field", field)}: ${serverWords(value)}`;
  }
  return problems;
}

/** One sentence (or a few) saying what went wrong and what to do, in the user's language. */
export function problemText(error: unknown, options: { topic?: Topic; password?: string } = {}): string {
  if (error instanceof OfflineError) return t("apiError.offline");
  if (error instanceof SignedOutError) return t("apiError.signedOut");
  if (!(error instanceof ApiError)) return t("apiError.unknown");
  const { topic } = options;
  switch (error.code) {
    case "weak_password":
      return passwordRefusal(options.password);
    case "wrong_password":
      return t("apiError.wrongPassword");
    case "link_invalid":
      return t("apiError.linkInvalid");
    case "too_many_requests":
      return t("apiError.tooMany", { wait: waitText(error.retryAfterSeconds ?? 60) });
    case "concurrent_write":
      return t("apiError.concurrent");
    case "conflict":
    case "constraint":
      if ("email" in error.errors) return t("apiError.emailTaken");
      if (topic === "team") return t("apiError.teamNameTaken");
      return t("apiError.conflict");
    case "invalid": {
      const fields = Object.values(fieldProblems(error, options));
      return fields.length ? `${t("apiError.invalid")} ${fields.join(" ")}` : t("apiError.invalid");
    }
    case "not_found":
      if (topic === "user") return t("apiError.userNotFound");
      if (topic === "team") return t("apiError.teamNotFound");
      if (topic === "transfer") return t("apiError.participantNotFound");
      if (topic === "link" || topic === "password") return t("apiError.linkInvalid");
      return t("apiError.notFound");
    case "forbidden":
    case "role_forbidden":
    case "not_permitted":
    case "outside_scope":
      return t("apiError.forbidden");
    case "erased":
      return t("apiError.erased");
    case "unauthorized":
    case "signed_out":
    case "account_inactive":
    case "token_invalid":
    case "token_expired":
    case "sign_in_required":
      return t("apiError.signedOut");
    case "unavailable":
      return t("apiError.unreachable");
    case "update_required":
      return t("update.required");
    case "server_error":
      return t("apiError.server");
    default:
      return error.status >= 500 ? t("apiError.server") : t("apiError.refused", { status: error.status });
  }
}
