/** The app shell: sign-in, the status bar (pending, last sync, conflicts), navigation and routes. */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { db, onSnack, type Snack, syncLoop } from "./app";
import { META, getMeta } from "./db";
import { openConflicts } from "./conflicts";
import { t, tCount, formatDay, formatNumber, formatPercent, formatTime } from "./i18n";
import { syncProblemText } from "./problems";
import { isLongFirstSync, progressShare, type SyncProgress } from "./sync";
import { useLangVersion, useLive, useRoute, type Route } from "./hooks";
import type { SignedInUser } from "./types";
import { Login } from "./views/Login";
import { Today } from "./views/Today";
import { Caseload } from "./views/Caseload";
import { ParticipantView } from "./views/Participant";
import { EditContact, LogContact } from "./views/LogContact";
import { EditMeeting, LogMeeting } from "./views/LogMeeting";
import { Employers, NewEmployer } from "./views/Employers";
import { EditJobMatch, JobMatches, NewJobMatch } from "./views/JobMatches";
import { EmployerPage } from "./views/Employer";
import { MyWeek } from "./views/MyWeek";
import { Conflicts } from "./views/Conflicts";
import { ConflictNotice } from "./views/ConflictNotice";
import { NewParticipant } from "./views/NewParticipant";
import { ParticipantClosing } from "./views/ParticipantClosing";
import { Rejected } from "./views/Rejected";
import { Settings } from "./views/Settings";
import { MyPlan } from "./views/MyPlan";
import { TeamWeek } from "./views/TeamWeek";
import { EditParticipant } from "./views/EditParticipant";
import { EditEmployer } from "./views/EditEmployer";
import { CareerProfile } from "./views/CareerProfile";
import { TeamMeetings } from "./views/TeamMeetings";
import { Fidelity } from "./views/Fidelity";
import { AdminNewUser, AdminUser, AdminUsers } from "./views/AdminUsers";
import { AdminTeams } from "./views/AdminTeams";
import { Transfer } from "./views/AdminTransfer";
import { SetPassword } from "./views/SetPassword";
import { osloDate } from "./time";

type UpdateHandler = (() => void) | null;
let offerUpdate: (apply: () => void) => void = () => undefined;

/** Called by main.tsx when a new service worker is waiting. */
export function announceUpdate(apply: () => void): void {
  offerUpdate(apply);
}

export function App() {
  useLangVersion();
  const route = useRoute();
  const user = useLive(async () => (await getMeta<SignedInUser>(db, META.user)) ?? null, [], undefined as SignedInUser | null | undefined);
  // A one-time link to choose a password is opened by someone who cannot sign in yet.
  if (route.path[0] === "password" && route.path[1]) return <SetPassword code={route.path[1]} />;
  if (user === undefined) return <main id="main" class="page"><p>{t("app.loading")}</p></main>;
  if (user === null) return <Login />;
  return <Shell user={user} />;
}

function Shell({ user }: { user: SignedInUser }) {
  const route = useRoute();
  const needsLogin = useLive(() => getMeta<boolean>(db, META.needsLogin), [], undefined);
  const updateRequired = useLive(() => getMeta<string>(db, META.updateRequired), [], undefined);
  const [update, setUpdate] = useState<UpdateHandler>(null);
  useEffect(() => {
    offerUpdate = (apply) => setUpdate(() => apply);
  }, []);
  const mainRef = useRef<HTMLElement>(null);
  const routeKey = route.path.join("/");
  useEffect(() => {
    // Move focus to the new screen's heading so screen readers announce it.
    const heading = mainRef.current?.querySelector("h1");
    if (heading instanceof HTMLElement && document.activeElement === document.body) heading.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [routeKey]);

  // A sign-in that has ended locks nobody out: the screens keep working on what the phone holds,
  // a banner asks for a new sign-in, and the sign-in screen is one tap away (and can be left).
  if (needsLogin && route.path[0] === "login") return <Login email={user.email ?? ""} again />;
  const role = user.role ?? "specialist";
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); mainRef.current?.querySelector("h1")?.focus(); }}>{t("app.skip")}</a>
      <header class="topbar">
        {role === "participant" ? <ParticipantStatusBar /> : <StatusBar />}
      </header>
      {update && (
        <div class="banner" role="alert">
          <span>{t("update.ready")}</span>
          <button type="button" class="button" onClick={update}>{t("update.apply")}</button>
        </div>
      )}
      {needsLogin && <SignedOutBanner />}
      {(role === "specialist" || role === "supervisor") && <ConflictNotice route={route} />}
      {updateRequired && (
        <div class="banner warn" role="alert">
          <span>{t("update.required")}</span>
          <button type="button" class="button" onClick={() => location.reload()}>{t("update.apply")}</button>
        </div>
      )}
      <main id="main" ref={mainRef} class="page" tabIndex={-1}>
        <FirstSyncGate route={route}>
          <Screen route={route} user={user} />
        </FirstSyncGate>
        {role === "specialist" && isListScreen(route) && (
          <a class="fab" href="#/log-contact">
            <span aria-hidden="true">+</span> {t("nav.logContact")}
          </a>
        )}
      </main>
      <RoleNav role={role} route={route} />
      <Snackbar />
    </>
  );
}

/** The sign-in has ended: how many changes wait for a new one, and the way to it. */
function SignedOutBanner() {
  const waiting = useLive(() => db.outbox.count(), [], 0);
  const text = waiting === 0 ? t("signedOut.bannerNone") : tCount("signedOut.banner", waiting);
  return (
    <div class="banner warn" role="alert">
      <span>{text}</span>
      <a class="button primary" href="#/login">{t("signedOut.signIn")}</a>
    </div>
  );
}

function Screen({ route, user }: { route: Route; user: SignedInUser }) {
  const role = user.role ?? "specialist";
  const [page = "", second, third] = route.path;
  const first = page === "login" ? "" : page; // signed in again: the sign-in screen leads home
  if (first === "settings") return <Settings user={user} />;
  if (first === "conflicts") return <Conflicts role={role} />;
  if (first === "rejected") return <Rejected />;
  if (role === "participant") return <MyPlan user={user} />;
  if (role === "supervisor" && first === "fidelity") return <Fidelity user={user} />;
  if (role === "supervisor" && first === "transfer") return <Transfer user={user} />;
  if (role === "supervisor") return <TeamWeek user={user} specialistId={first === "team" ? second : undefined} />;
  if (role === "admin") return <AdminScreen route={route} user={user} />;
  if (role !== "specialist") return <NoScreen />;
  switch (first) {
    case "":
    case "today":
      return <Today user={user} />;
    case "participants":
      if (second === "new") return <NewParticipant user={user} />;
      if (second && third === "close") return <ParticipantClosing id={second} />;
      if (second && third === "edit") return <EditParticipant id={second} />;
      if (second && third === "profile") return <CareerProfile participantId={second} />;
      return second ? <ParticipantView id={second} user={user} /> : <Caseload user={user} />;
    case "log-contact":
      return <LogContact user={user} employerId={second} />;
    case "log-meeting":
      return <LogMeeting user={user} participantId={route.query.get("participant") ?? undefined} />;
    case "contacts":
      return second && third === "edit" ? <EditContact key={second} user={user} id={second} /> : <NotFound />;
    case "meetings":
      return second && third === "edit" ? <EditMeeting key={second} user={user} id={second} /> : <NotFound />;
    case "employers":
      if (second && second !== "new" && third === "edit") return <EditEmployer id={second} />;
      if (second && second !== "new" && !third) return <EmployerPage id={second} user={user} />;
      return second === "new" ? <NewEmployer returnTo={route.query.get("return") ?? undefined} name={route.query.get("name") ?? ""} /> : <Employers user={user} />;
    case "jobs":
      if (second === "new") return <NewJobMatch />;
      if (second && third === "edit") return <EditJobMatch key={second} id={second} />;
      return <JobMatches />;
    case "week":
      return <MyWeek user={user} />;
    case "team-meetings":
      return <TeamMeetings user={user} />;
    default:
      return <NotFound />;
  }
}

function AdminScreen({ route, user }: { route: Route; user: SignedInUser }) {
  const [page = "", second] = route.path;
  if (page === "teams") return <AdminTeams />;
  if (page === "transfer") return <Transfer user={user} />;
  if (page === "users" && second === "new") return <AdminNewUser />;
  if (page === "users" && second) return <AdminUser id={second} me={user.id ?? ""} />;
  // Keyed by the filters in the address: a link to the list with other filters starts afresh.
  if (page === "users" || page === "" || page === "login") return <AdminUsers key={route.query.toString()} query={route.query} />;
  return <NotFound />;
}

/**
 * The floating "Logg arbeidsgiverkontakt" belongs on screens that list things; on a form it
 * would cover the form's own buttons (and leave it half filled).
 */
function isListScreen(route: Route): boolean {
  const [page = "", second, third] = route.path;
  switch (page) {
    case "":
    case "today":
    case "week":
      return true;
    case "participants":
      return second !== "new" && !third;
    case "employers":
      return second !== "new" && !third;
    case "jobs":
      return !second;
    default:
      return false;
  }
}

function NotFound() {
  return (
    <>
      <h1 tabIndex={-1}>{t("notFound.title")}</h1>
      <p><a href="#/">{t("notFound.home")}</a></p>
    </>
  );
}

function NoScreen() {
  return (
    <>
      <h1 tabIndex={-1}>Feltlogg</h1>
      <p>{t("app.noScreenForRole")}</p>
    </>
  );
}

interface NavItem {
  href: string;
  label: string;
  match: string;
}

function RoleNav({ role, route }: { role: string; route: Route }) {
  let items: NavItem[] = [];
  if (role === "specialist") {
    items = [
      { href: "#/today", label: t("nav.today"), match: "today" },
      { href: "#/participants", label: t("nav.caseload"), match: "participants" },
      { href: "#/employers", label: t("nav.employers"), match: "employers" },
      { href: "#/jobs", label: t("nav.jobs"), match: "jobs" },
      { href: "#/week", label: t("nav.week"), match: "week" },
    ];
  } else if (role === "participant") {
    items = [{ href: "#/my-plan", label: t("nav.myPlan"), match: "my-plan" }];
  } else if (role === "admin") {
    items = [
      { href: "#/users", label: t("admin.nav.users"), match: "users" },
      { href: "#/teams", label: t("admin.nav.teams"), match: "teams" },
      { href: "#/transfer", label: t("admin.nav.transfer"), match: "transfer" },
    ];
  } else if (role === "supervisor") {
    items = [
      { href: "#/team", label: t("nav.team"), match: "team" },
      { href: "#/fidelity", label: t("nav.fidelity"), match: "fidelity" },
    ];
  }
  if (items.length <= 1) return null;
  const current = route.path[0] || items[0]!.match;
  return (
    <nav class="tabs" aria-label={t("nav.label")}>
      <ul>
        {items.map((item) => (
          <li key={item.href}>
            <a href={item.href} aria-current={current === item.match ? "page" : undefined}>{item.label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function useSyncLoopState() {
  const [, setTick] = useState(0);
  useEffect(() => syncLoop.subscribe(() => setTick((n) => n + 1)), []);
  const [state, setState] = useState(document.documentElement.dataset.sync ?? "idle");
  useEffect(() => {
    const observer = new MutationObserver(() => setState(document.documentElement.dataset.sync ?? "idle"));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-sync"] });
    return () => observer.disconnect();
  }, []);
  return { state, progress: syncLoop.progress, outcome: syncLoop.lastOutcome };
}

/**
 * While a first sync of more than one page runs, a list screen shows how far it has come instead
 * of its list: the list would be incomplete, and reading it again after every page would slow the
 * sync down. Forms stay usable.
 */
function FirstSyncGate({ route, children }: { route: Route; children: ComponentChildren }) {
  const [, setTick] = useState(0);
  useEffect(() => syncLoop.subscribe(() => setTick((n) => n + 1)), []);
  const progress = syncLoop.progress;
  if (!isLongFirstSync(progress) || !isListScreen(route)) return <>{children}</>;
  return (
    <section class="card first-sync" aria-live="polite">
      <h1>{t("firstSync.title")}</h1>
      <progress max={progress.total} value={Math.min(progress.done, progress.total)} aria-label={t("firstSync.title")} />
      <p>{firstSyncLine(progress)}</p>
      <p class="hint">{t("firstSync.hint")}</p>
    </section>
  );
}

/** "Første synkronisering … 45 % (1 600 av 3 540 poster)"; without a total, the records fetched. */
function firstSyncLine(progress: SyncProgress): string {
  const share = progressShare(progress);
  if (share === undefined) return tCount("status.firstSync", progress.done);
  // Records written meanwhile can take `done` past the total said at the start.
  const total = Math.max(progress.total ?? 0, progress.done);
  return tCount("status.firstSyncOf", total, { percent: formatPercent(share), done: formatNumber(progress.done) });
}

function StatusBar() {
  const counts = useLive(
    async () => {
      const [pending, rejected, conflicts, lastSync] = await Promise.all([
        db.outbox.count(),
        db.outbox.where("state").equals("rejected").count(),
        openConflicts(db).then((open) => open.length),
        getMeta<string>(db, META.lastSyncAt),
      ]);
      return { pending, rejected, conflicts, lastSync };
    },
    [],
    { pending: 0, rejected: 0, conflicts: 0, lastSync: undefined as string | undefined },
  );
  const { state, progress, outcome } = useSyncLoopState();
  const lastSync = counts.lastSync
    ? osloDate(counts.lastSync) === osloDate(new Date())
      ? t("status.lastSyncToday", { time: formatTime(counts.lastSync) })
      : t("status.lastSync", { day: formatDay(counts.lastSync) })
    : t("status.neverSynced");
  // While a sync runs it takes the last sync's line, so the bar keeps its height.
  // Only a first sync knows how much is coming (from a server that says so); other lines count what has come.
  let syncLine = lastSync;
  if (state === "syncing") {
    if (progress?.phase === "pull" && progress.done > 0 && progress.initial) syncLine = firstSyncLine(progress);
    else if (progress?.phase === "pull" && progress.done > 0) syncLine = tCount("status.pulling", progress.done);
    else if (progress?.phase === "push" && progress.done > 0) syncLine = tCount("status.pushing", progress.done);
    else syncLine = t("status.syncing");
  }
  let stateText = "";
  if (state === "offline") stateText = t("status.offline");
  else if (state === "error" && outcome?.status === "signed_out") stateText = t("status.signedOut");
  else if (state === "error" && outcome?.status === "error") stateText = syncProblemText(outcome);
  else if (state === "error" && outcome?.status === "update_required") stateText = syncProblemText({ httpStatus: 426, code: "update_required" });
  else if (state === "error") stateText = t("status.error");
  return (
    <>
      <div class="topbar-row">
        <a class="brand" href="#/">Feltlogg</a>
        <span class="topbar-alerts">
          {counts.conflicts > 0 && <a class="pill pill-link pill-alert" href="#/conflicts">{t("status.conflicts", { count: counts.conflicts })}</a>}
          {counts.rejected > 0 && <a class="pill pill-link pill-alert" href="#/rejected">{t("status.rejected", { count: counts.rejected })}</a>}
        </span>
        <a class="menu-link" href="#/settings">{t("nav.menu")}</a>
      </div>
      <div class="status">
        <div class="status-text" role="status" aria-live="polite">
          <span class={counts.pending ? "pending" : ""}>{t("status.pending", { count: counts.pending })}</span>
          <span>{syncLine}</span>
          {stateText && <span class={`state state-${state}`}>{stateText}</span>}
        </div>
        <button type="button" class="pill pill-button" onClick={() => void syncLoop.run()} disabled={state === "syncing"}>{t("status.syncNow")}</button>
      </div>
    </>
  );
}

/**
 * A participant sees no sync machinery: only that a change of theirs has not been sent yet, or
 * that one could not be saved (and why, one tap away).
 */
function ParticipantStatusBar() {
  const waiting = useLive(
    async () => {
      const [pending, rejected] = await Promise.all([
        db.outbox.where("state").equals("pending").count(),
        db.outbox.where("state").equals("rejected").count(),
      ]);
      return { pending, rejected };
    },
    [],
    { pending: 0, rejected: 0 },
  );
  return (
    <div class="topbar-row">
      <a class="brand" href="#/">Feltlogg</a>
      <span class="status-text" role="status" aria-live="polite">
        {waiting.pending > 0 && <span class="pending">{t("yourPlan.notSent")}</span>}
      </span>
      <span class="topbar-alerts">
        {waiting.rejected > 0 && <a class="pill pill-link pill-alert" href="#/rejected">{t("yourPlan.notSaved")}</a>}
      </span>
      <a class="menu-link" href="#/settings">{t("nav.menu")}</a>
    </div>
  );
}

function Snackbar() {
  const [snack, setSnack] = useState<Snack | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = onSnack((next) => {
      clearTimeout(timer);
      setSnack(next);
      timer = setTimeout(() => setSnack(null), next?.undo ? 5000 : 3000);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, []);
  return (
    <div class="snackbar-region" role="status" aria-live="polite">
      {snack && (
        <div class="snackbar">
          <span>{snack.message}</span>
          {snack.undo && (
            <button
              type="button"
              class="snackbar-undo"
              onClick={async () => {
                const undo = snack.undo!;
                setSnack(null);
                await undo();
              }}
            >
              {t("snack.undo")}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
