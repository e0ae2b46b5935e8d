/**
 * The admin's users: a list to search and filter, inviting someone (they choose their own
 * password with a one-time link), and one user's page: details, role and team, a new link for
 * a forgotten password, signing out everywhere, deactivating and reactivating.
 */
import { useState } from "preact/hooks";
import { authDeps, showSnack } from "../app";
import {
  type NewUser,
  type PasswordLink,
  type Participant,
  ROLES,
  type Role,
  type Team,
  type User,
  type UserChanges,
  allTeams,
  allUsers,
  fieldProblems,
  getUser,
  inviteUser,
  newPasswordLink,
  participantsOf,
  problemText,
  signOutUserEverywhere,
  updateUser,
} from "../admin";
import { capitalize, t, tCount, tEnum } from "../i18n";
import { Empty, Title } from "./common";
import { Confirm, Field, LinkCard, RemoteContent, described, useRemote } from "./AdminParts";

const PAGE_SIZE = 20;

function teamName(teams: Team[], id: string | null | undefined): string {
  if (!id) return t("admin.users.noTeam");
  return teams.find((team) => team.id === id)?.name ?? "";
}

function matches(user: User, search: string): boolean {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const text = `${user.name} ${user.email}`.toLowerCase();
  return words.every((word) => text.includes(word));
}

/** Keep the filters in the address, so that coming back from a user finds the list as it was. */
function rememberFilters(filters: Record<string, string>): void {
  const query = new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== "")).toString();
  history.replaceState(history.state, "", `#/users${query ? `?${query}` : ""}`);
}

export function AdminUsers({ query }: { query: URLSearchParams }) {
  const [search, setSearch] = useState(query.get("q") ?? "");
  const [role, setRole] = useState(query.get("role") ?? "");
  const [teamId, setTeamId] = useState(query.get("team") ?? "");
  const [inactive, setInactive] = useState(query.get("inactive") === "1");
  const [page, setPage] = useState(Math.max(1, Number(query.get("page")) || 1));
  // The server filters by role, team and active; it has no search over users, so the list of
  // those that match comes whole (a service's users fit in a page or two of the API) and the
  // search and the paging of what is shown happen here.
  const users = useRemote(
    () => allUsers(authDeps, { role: (role || undefined) as Role | undefined, team_id: teamId || undefined, include_inactive: inactive }),
    [role, teamId, inactive],
  );
  const teams = useRemote(() => allTeams(authDeps), []);

  function change(next: { q?: string; role?: string; team?: string; inactive?: boolean; page?: number }) {
    const values = { q: search, role, team: teamId, inactive, page: 1, ...next };
    if (next.q !== undefined) setSearch(next.q);
    if (next.role !== undefined) setRole(next.role);
    if (next.team !== undefined) setTeamId(next.team);
    if (next.inactive !== undefined) setInactive(next.inactive);
    setPage(values.page);
    rememberFilters({ q: values.q, role: values.role, team: values.team, inactive: values.inactive ? "1" : "", page: values.page > 1 ? String(values.page) : "" });
  }

  return (
    <>
      <Title>{t("admin.users.title")}</Title>
      <p><a class="button primary" href="#/users/new">{t("admin.users.invite")}</a></p>
      <form class="card filters" role="search" aria-label={t("admin.users.filters")} onSubmit={(e) => e.preventDefault()}>
        <Field id="user-search" label={t("admin.users.search")}>
          <input id="user-search" type="search" value={search} autoComplete="off" onInput={(e) => change({ q: e.currentTarget.value })} />
        </Field>
        <div class="row filter-row">
          <Field id="user-role" label={t("admin.users.role")}>
            <select id="user-role" value={role} onChange={(e) => change({ role: e.currentTarget.value })}>
              <option value="">{t("admin.users.allRoles")}</option>
              {ROLES.map((r) => <option key={r} value={r}>{capitalize(tEnum("role", r))}</option>)}
            </select>
          </Field>
          <Field id="user-team" label={t("admin.users.team")}>
            <select id="user-team" value={teamId} onChange={(e) => change({ team: e.currentTarget.value })}>
              <option value="">{t("admin.users.allTeams")}</option>
              {(teams.data ?? []).map((team) => <option key={team.id} value={team.id}>{team.name}</option>)}
            </select>
          </Field>
        </div>
        <label class="choice">
          <input type="checkbox" checked={inactive} onChange={(e) => change({ inactive: e.currentTarget.checked })} />
          {t("admin.users.showInactive")}
        </label>
      </form>
      <RemoteContent remote={users}>
        {(list) =>
          // Shown once the teams are known too, so that no row grows when its team's name arrives.
          teams.loading && teams.data === undefined ? (
            <p role="status">{t("app.loading")}</p>
          ) : (
            <UserList users={list.filter((u) => matches(u, search))} teams={teams.data ?? []} page={page} onPage={(p) => change({ page: p })} />
          )
        }
      </RemoteContent>
    </>
  );
}

function UserList({ users, teams, page, onPage }: { users: User[]; teams: Team[]; page: number; onPage: (page: number) => void }) {
  if (users.length === 0) return <Empty>{t("admin.users.none")}</Empty>;
  const pages = Math.max(1, Math.ceil(users.length / PAGE_SIZE));
  const current = Math.min(page, pages);
  const shown = users.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE);
  return (
    <section aria-labelledby="user-list-title">
      <h2 id="user-list-title" class="small-heading" aria-live="polite">
        {tCount("admin.users.showing", users.length, { from: (current - 1) * PAGE_SIZE + 1, to: (current - 1) * PAGE_SIZE + shown.length })}
      </h2>
      <ul class="list card">
        {shown.map((user) => (
          <li key={user.id}>
            <a href={`#/users/${user.id}`}>
              <strong>{user.name}</strong>
              <span>{user.email}</span>
              <span>
                {capitalize(tEnum("role", user.role))} · {teamName(teams, user.team_id)}
                {!user.is_active && <> · <em class="inactive">{t("admin.users.inactive")}</em></>}
              </span>
            </a>
          </li>
        ))}
      </ul>
      {pages > 1 && (
        <nav class="row pager" aria-label={t("admin.users.pages")}>
          <button type="button" class="button small" disabled={current <= 1} onClick={() => onPage(current - 1)}>{t("admin.users.previous")}</button>
          <span>{t("admin.users.page", { page: current, pages })}</span>
          <button type="button" class="button small" disabled={current >= pages} onClick={() => onPage(current + 1)}>{t("admin.users.next")}</button>
        </nav>
      )}
    </section>
  );
}

// --- Inviting someone ------------------------------------------------------------------------

type FormProblems = Record<string, string>;

function validEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}

/** What the server would refuse, said before asking it. */
function checkUser(form: { name: string; email: string; role: string; team_id: string; participant_id?: string }): FormProblems {
  const problems: FormProblems = {};
  if (!form.name.trim()) problems.name = t("admin.users.needName");
  if (!validEmail(form.email)) problems.email = t("apiError.field.email");
  if (form.role !== "admin" && !form.team_id) problems.team_id = t("apiError.field.team");
  // Only an invitation names the participant; an existing participant login keeps theirs.
  if (form.participant_id !== undefined && form.role === "participant" && !form.participant_id) problems.participant_id = t("apiError.field.participant");
  return problems;
}

export function AdminNewUser() {
  const teams = useRemote(() => allTeams(authDeps), []);
  const [created, setCreated] = useState<{ user: User; link: PasswordLink } | null>(null);
  const [round, setRound] = useState(0);
  return (
    <>
      <Title>{t("admin.invite.title")}</Title>
      {created ? (
        <>
          <p role="status">{t("admin.invite.created", { name: created.user.name, email: created.user.email })}</p>
          <LinkCard link={created.link} name={created.user.name} />
          <div class="row">
            <button type="button" class="button" onClick={() => { setCreated(null); setRound((n) => n + 1); }}>{t("admin.invite.another")}</button>
            <a class="button" href={`#/users/${created.user.id}`}>{t("admin.invite.open")}</a>
            <a class="button" href="#/users">{t("admin.users.back")}</a>
          </div>
        </>
      ) : (
        <RemoteContent remote={teams}>
          {(list) => <InviteForm key={round} teams={list} onCreated={(user, link) => setCreated({ user, link })} />}
        </RemoteContent>
      )}
    </>
  );
}

function InviteForm({ teams, onCreated }: { teams: Team[]; onCreated: (user: User, link: PasswordLink) => void }) {
  const [form, setForm] = useState({ name: "", email: "", role: "specialist" as Role, team_id: teams.length === 1 ? teams[0]!.id : "", participant_id: "" });
  const [problems, setProblems] = useState<FormProblems>({});
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const set = (changes: Partial<typeof form>) => setForm((f) => ({ ...f, ...changes }));

  async function submit(event: Event) {
    event.preventDefault();
    const found = checkUser(form);
    setProblems(found);
    setError("");
    if (Object.keys(found).length) {
      document.getElementById(`invite-${Object.keys(found)[0]!.replace("_id", "")}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const user: NewUser = { name: form.name.trim(), email: form.email.trim(), role: form.role, team_id: form.team_id || null };
      if (form.role === "participant") user.participant_id = form.participant_id;
      const created = await inviteUser(authDeps, user);
      onCreated(created, created.password_link);
    } catch (e) {
      setProblems(fieldProblems(e, { topic: "user" }));
      setError(problemText(e, { topic: "user" }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="form card" onSubmit={(e) => void submit(e)} noValidate>
      <p>{t("admin.invite.explain")}</p>
      <Field id="invite-name" label={t("admin.users.name")} problem={problems.name}>
        <input id="invite-name" type="text" autoComplete="off" value={form.name} maxLength={200} onInput={(e) => set({ name: e.currentTarget.value })} {...described("invite-name", false, problems.name)} />
      </Field>
      <Field id="invite-email" label={t("admin.users.email")} problem={problems.email}>
        <input id="invite-email" type="email" autoComplete="off" value={form.email} maxLength={254} onInput={(e) => set({ email: e.currentTarget.value })} {...described("invite-email", false, problems.email)} />
      </Field>
      <Field id="invite-role" label={t("admin.users.role")} problem={problems.role}>
        <select id="invite-role" value={form.role} onChange={(e) => set({ role: e.currentTarget.value as Role, participant_id: "" })} {...described("invite-role", false, problems.role)}>
          {ROLES.map((r) => <option key={r} value={r}>{capitalize(tEnum("role", r))}</option>)}
        </select>
      </Field>
      <Field id="invite-team" label={t("admin.users.team")} hint={form.role === "admin" ? t("admin.users.adminTeamHint") : undefined} problem={problems.team_id}>
        <select id="invite-team" value={form.team_id} onChange={(e) => set({ team_id: e.currentTarget.value, participant_id: "" })} {...described("invite-team", form.role === "admin", problems.team_id)}>
          <option value="">{form.role === "admin" ? t("admin.users.noTeam") : t("admin.users.pickTeam")}</option>
          {teams.map((team) => <option key={team.id} value={team.id}>{team.name}</option>)}
        </select>
      </Field>
      {form.role === "participant" && form.team_id && (
        <ParticipantPicker teamId={form.team_id} value={form.participant_id} problem={problems.participant_id} onChange={(id) => set({ participant_id: id })} />
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <button type="submit" class="button primary" disabled={busy}>{t("admin.invite.submit")}</button>
    </form>
  );
}

/** A participant login belongs to a participant of the team who has none yet. */
function ParticipantPicker({ teamId, value, problem, onChange }: { teamId: string; value: string; problem?: string; onChange: (id: string) => void }) {
  const participants = useRemote(async () => {
    const specialists = await allUsers(authDeps, { team_id: teamId, role: "specialist", include_inactive: true });
    const list = await participantsOf(authDeps, specialists.map((s) => s.id));
    return list.filter((p: Participant) => !p.user_id).sort((a, b) => `${a.first_name} ${a.last_name}`.localeCompare(`${b.first_name} ${b.last_name}`, "nb"));
  }, [teamId]);
  return (
    <RemoteContent remote={participants}>
      {(list) => (
        <Field id="invite-participant" label={t("admin.invite.participant")} hint={t("admin.invite.participantHint")} problem={problem}>
          <select id="invite-participant" value={value} onChange={(e) => onChange(e.currentTarget.value)} {...described("invite-participant", true, problem)}>
            <option value="">{list.length ? t("admin.invite.pickParticipant") : t("admin.invite.noParticipants")}</option>
            {list.map((p) => <option key={p.id} value={p.id}>{p.first_name} {p.last_name}</option>)}
          </select>
        </Field>
      )}
    </RemoteContent>
  );
}

// --- One user --------------------------------------------------------------------------------

/** One user; `me` is the signed-in admin, who cannot lock themself out here. */
export function AdminUser({ id, me }: { id: string; me: string }) {
  const remote = useRemote(async () => {
    const [user, teams] = await Promise.all([getUser(authDeps, id), allTeams(authDeps)]);
    return { user, teams };
  }, [id]);
  return (
    <>
      <p><a href="#/users">{t("admin.users.back")}</a></p>
      <RemoteContent remote={remote}>
        {({ user, teams }) => <UserPage key={`${user.id}-${String(user.is_active)}`} user={user} teams={teams} self={user.id === me} reload={remote.reload} />}
      </RemoteContent>
    </>
  );
}

function UserPage({ user, teams, self, reload }: { user: User; teams: Team[]; self: boolean; reload: () => void }) {
  return (
    <>
      <Title>{user.name}</Title>
      <p>
        {user.email} · {tEnum("role", user.role)} · {teamName(teams, user.team_id)}
        {!user.is_active && <> · <em class="inactive">{t("admin.users.inactive")}</em></>}
      </p>
      <EditUser user={user} teams={teams} self={self} onSaved={reload} />
      {user.is_active && <PasswordLinkSection user={user} />}
      {user.is_active && <SignOutSection user={user} />}
      {self ? <p class="muted">{t("admin.user.ownAccount")}</p> : <ActiveSection user={user} onChanged={reload} />}
    </>
  );
}

function EditUser({ user, teams, self, onSaved }: { user: User; teams: Team[]; self: boolean; onSaved: () => void }) {
  const [form, setForm] = useState({ name: user.name, email: user.email, role: user.role, team_id: user.team_id ?? "", fte: String(user.fte ?? 100) });
  const [problems, setProblems] = useState<FormProblems>({});
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const set = (changes: Partial<typeof form>) => setForm((f) => ({ ...f, ...changes }));
  // A login becomes a participant's only together with the participant it belongs to (when invited).
  const roles = ROLES.filter((r) => r !== "participant" || user.role === "participant");

  async function submit(event: Event) {
    event.preventDefault();
    const found = checkUser(form);
    const fte = Number(form.fte);
    if (!Number.isInteger(fte) || fte < 1 || fte > 100) found.fte = t("apiError.field.fte");
    setProblems(found);
    setError("");
    if (Object.keys(found).length) return;
    const changes: UserChanges = {};
    if (form.name.trim() !== user.name) changes.name = form.name.trim();
    if (form.email.trim().toLowerCase() !== user.email) changes.email = form.email.trim();
    if (form.role !== user.role) changes.role = form.role;
    if ((form.team_id || null) !== (user.team_id ?? null)) changes.team_id = form.team_id || null;
    if (fte !== (user.fte ?? 100)) changes.fte = fte;
    if (Object.keys(changes).length === 0) {
      setError(t("admin.user.nothingChanged"));
      return;
    }
    setBusy(true);
    try {
      await updateUser(authDeps, user.id, changes);
      showSnack(t("admin.user.saved", { name: changes.name ?? user.name }));
      onSaved();
    } catch (e) {
      setProblems(fieldProblems(e, { topic: "user" }));
      setError(problemText(e, { topic: "user" }));
    } finally {
      setBusy(false);
    }
  }

  const moved = form.role !== user.role || (form.team_id || null) !== (user.team_id ?? null);
  return (
    <form class="form card" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="edit-user-title">
      <h2 id="edit-user-title">{t("admin.user.details")}</h2>
      <Field id="edit-name" label={t("admin.users.name")} problem={problems.name}>
        <input id="edit-name" type="text" autoComplete="off" value={form.name} maxLength={200} onInput={(e) => set({ name: e.currentTarget.value })} {...described("edit-name", false, problems.name)} />
      </Field>
      <Field id="edit-email" label={t("admin.users.email")} problem={problems.email}>
        <input id="edit-email" type="email" autoComplete="off" value={form.email} maxLength={254} onInput={(e) => set({ email: e.currentTarget.value })} {...described("edit-email", false, problems.email)} />
      </Field>
      <Field id="edit-role" label={t("admin.users.role")} hint={self ? t("admin.user.ownRole") : undefined} problem={problems.role}>
        <select id="edit-role" disabled={self} value={form.role} onChange={(e) => set({ role: e.currentTarget.value as Role })} {...described("edit-role", self, problems.role)}>
          {roles.map((r) => <option key={r} value={r}>{capitalize(tEnum("role", r))}</option>)}
        </select>
      </Field>
      <Field id="edit-team" label={t("admin.users.team")} problem={problems.team_id}>
        <select id="edit-team" value={form.team_id} onChange={(e) => set({ team_id: e.currentTarget.value })} {...described("edit-team", false, problems.team_id)}>
          <option value="">{form.role === "admin" ? t("admin.users.noTeam") : t("admin.users.pickTeam")}</option>
          {teams.map((team) => <option key={team.id} value={team.id}>{team.name}</option>)}
        </select>
      </Field>
      <Field id="edit-fte" label={t("admin.user.fte")} hint={t("admin.user.fteHint")} problem={problems.fte}>
        <input id="edit-fte" type="number" inputMode="numeric" min={1} max={100} value={form.fte} onInput={(e) => set({ fte: e.currentTarget.value })} {...described("edit-fte", true, problems.fte)} />
      </Field>
      {moved && <p class="warning">{t("admin.user.movedSignsOut", { name: user.name })}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      <button type="submit" class="button primary" disabled={busy}>{t("admin.user.save")}</button>
    </form>
  );
}

function PasswordLinkSection({ user }: { user: User }) {
  const [link, setLink] = useState<PasswordLink | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  async function make() {
    setBusy(true);
    setError("");
    try {
      setLink(await newPasswordLink(authDeps, user.id));
    } catch (e) {
      setError(problemText(e, { topic: "user" }));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="card" aria-labelledby="password-link-title">
      <h2 id="password-link-title">{t("admin.user.passwordTitle")}</h2>
      <p>{t("admin.user.passwordExplain", { name: user.name })}</p>
      <button type="button" class="button" disabled={busy} onClick={() => void make()}>{t("admin.user.newLink")}</button>
      {error && <p class="error" role="alert">{error}</p>}
      {link && <LinkCard link={link} name={user.name} />}
    </section>
  );
}

function SignOutSection({ user }: { user: User }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  async function run() {
    setBusy(true);
    setError("");
    try {
      await signOutUserEverywhere(authDeps, user.id);
      setMessage(t("admin.user.signedOut", { name: user.name }));
      setConfirming(false);
    } catch (e) {
      setError(problemText(e, { topic: "user" }));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="card" aria-labelledby="sign-out-user-title">
      <h2 id="sign-out-user-title">{t("admin.user.signOutTitle")}</h2>
      <p>{t("admin.user.signOutExplain", { name: user.name })}</p>
      {confirming ? (
        <Confirm question={t("admin.user.signOutConfirm", { name: user.name })} confirmLabel={t("admin.user.signOutYes")} busy={busy} danger onConfirm={() => void run()} onCancel={() => setConfirming(false)} />
      ) : (
        <button type="button" class="button" onClick={() => { setMessage(""); setConfirming(true); }}>{t("admin.user.signOutTitle")}</button>
      )}
      <p role="status" class="ok">{message}</p>
      {error && <p class="error" role="alert">{error}</p>}
    </section>
  );
}

function ActiveSection({ user, onChanged }: { user: User; onChanged: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const deactivating = user.is_active;
  async function run() {
    setBusy(true);
    setError("");
    try {
      await updateUser(authDeps, user.id, { is_active: !deactivating });
      showSnack(t(deactivating ? "admin.user.deactivated" : "admin.user.reactivated", { name: user.name }));
      onChanged();
    } catch (e) {
      setError(problemText(e, { topic: "user" }));
      setBusy(false);
    }
  }
  return (
    <section class="card" aria-labelledby="active-title">
      <h2 id="active-title">{deactivating ? t("admin.user.deactivate") : t("admin.user.reactivate")}</h2>
      <p>{deactivating ? t("admin.user.deactivateExplain", { name: user.name }) : t("admin.user.reactivateExplain", { name: user.name })}</p>
      {confirming ? (
        <Confirm
          question={t(deactivating ? "admin.user.deactivateConfirm" : "admin.user.reactivateConfirm", { name: user.name })}
          confirmLabel={t(deactivating ? "admin.user.deactivateYes" : "admin.user.reactivateYes")}
          busy={busy}
          danger={deactivating}
          onConfirm={() => void run()}
          onCancel={() => setConfirming(false)}
        />
      ) : (
        <button type="button" class={`button ${deactivating ? "danger" : ""}`} onClick={() => setConfirming(true)}>
          {deactivating ? t("admin.user.deactivate") : t("admin.user.reactivate")}
        </button>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </section>
  );
}

