/** The admin's teams: the list with how many active users each has, a new team, a new name. */
import { useState } from "preact/hooks";
import { authDeps, showSnack } from "../app";
import { type Team, type User, allTeams, allUsers, createTeam, fieldProblems, problemText, renameTeam } from "../admin";
import { t, tCount } from "../i18n";
import { Empty, Title } from "./common";
import { Field, RemoteContent, described, useRemote } from "./AdminParts";

export function AdminTeams() {
  const remote = useRemote(async () => {
    const [teams, users] = await Promise.all([allTeams(authDeps), allUsers(authDeps)]);
    return { teams, users };
  }, []);
  return (
    <>
      <Title>{t("admin.teams.title")}</Title>
      <RemoteContent remote={remote}>
        {({ teams, users }) => (
          <>
            <NewTeam onCreated={remote.reload} />
            <TeamList teams={teams} users={users} onRenamed={remote.reload} />
          </>
        )}
      </RemoteContent>
    </>
  );
}

function NewTeam({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState("");
  const [problem, setProblem] = useState("");
  const [busy, setBusy] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    if (!name.trim()) {
      setProblem(t("admin.teams.needName"));
      return;
    }
    setBusy(true);
    setProblem("");
    try {
      const team = await createTeam(authDeps, name.trim());
      setName("");
      showSnack(t("admin.teams.created", { name: team.name }));
      onCreated();
    } catch (e) {
      setProblem(fieldProblems(e, { topic: "team" }).name ?? problemText(e, { topic: "team" }));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="form card" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="new-team-title">
      <h2 id="new-team-title">{t("admin.teams.new")}</h2>
      <Field id="new-team-name" label={t("admin.teams.name")} problem={problem}>
        <input id="new-team-name" type="text" autoComplete="off" maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} {...described("new-team-name", false, problem || undefined)} />
      </Field>
      <button type="submit" class="button primary" disabled={busy}>{t("admin.teams.create")}</button>
    </form>
  );
}

function TeamList({ teams, users, onRenamed }: { teams: Team[]; users: User[]; onRenamed: () => void }) {
  const [renaming, setRenaming] = useState<string | null>(null);
  if (teams.length === 0) return <Empty>{t("admin.teams.none")}</Empty>;
  return (
    <ul class="list card teams">
      {teams.map((team) => {
        const members = users.filter((u) => u.team_id === team.id).length;
        return (
          <li key={team.id}>
            {renaming === team.id ? (
              <RenameTeam team={team} onDone={(renamed) => { setRenaming(null); if (renamed) onRenamed(); }} />
            ) : (
              <div class="team-row">
                <div>
                  <strong>{team.name}</strong>
                  <span class="meta">{tCount("admin.teams.members", members)}</span>
                </div>
                <a class="button small" href={`#/users?team=${team.id}`}>{t("admin.teams.showUsers")}<span class="sr-only"> – {team.name}</span></a>
                <button type="button" class="button small" onClick={() => setRenaming(team.id)}>
                  {t("admin.teams.rename")}<span class="sr-only"> – {team.name}</span>
                </button>
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function RenameTeam({ team, onDone }: { team: Team; onDone: (renamed: boolean) => void }) {
  const [name, setName] = useState(team.name);
  const [problem, setProblem] = useState("");
  const [busy, setBusy] = useState(false);
  const id = `rename-${team.id}`;
  async function submit(event: Event) {
    event.preventDefault();
    if (!name.trim()) {
      setProblem(t("admin.teams.needName"));
      return;
    }
    if (name.trim() === team.name) {
      onDone(false);
      return;
    }
    setBusy(true);
    setProblem("");
    try {
      const renamed = await renameTeam(authDeps, team.id, name.trim());
      showSnack(t("admin.teams.renamed", { name: renamed.name }));
      onDone(true);
    } catch (e) {
      setProblem(fieldProblems(e, { topic: "team" }).name ?? problemText(e, { topic: "team" }));
      setBusy(false);
    }
  }
  return (
    <form class="form" onSubmit={(e) => void submit(e)} noValidate>
      <Field id={id} label={t("admin.teams.newName", { name: team.name })} problem={problem}>
        <input id={id} type="text" autoComplete="off" maxLength={200} value={name} autoFocus onInput={(e) => setName(e.currentTarget.value)} {...described(id, false, problem || undefined)} />
      </Field>
      <div class="row">
        <button type="submit" class="button primary" disabled={busy}>{t("admin.teams.saveName")}</button>
        <button type="button" class="button" onClick={() => onDone(false)}>{t("common.cancel")}</button>
      </div>
    </form>
  );
}
