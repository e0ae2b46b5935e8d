/**
 * Moving a participant to another specialist of their team (a caseload transfer): the admin for
 * any team, a supervisor within their own. The participant, their plan and history go with
 * them; both specialists' phones follow at their next sync.
 */
import { useState } from "preact/hooks";
import { authDeps } from "../app";
import { type Participant, type User, allTeams, allUsers, fieldProblems, participantsOf, problemText, transferParticipant } from "../admin";
import { t, tEnum } from "../i18n";
import type { SignedInUser } from "../types";
import { Empty, Title } from "./common";
import { Confirm, Field, RemoteContent, described, useRemote } from "./AdminParts";

const fullName = (p: Participant) => `${p.first_name} ${p.last_name}`;

export function Transfer({ user }: { user: SignedInUser }) {
  const admin = user.role === "admin";
  // A supervisor moves participants within their own team only; the admin picks the team.
  const teams = useRemote(() => (admin ? allTeams(authDeps) : Promise.resolve([])), [admin]);
  const [teamId, setTeamId] = useState(admin ? "" : (user.team_id ?? ""));
  return (
    <>
      <Title>{t("transfer.title")}</Title>
      <p>{t("transfer.intro")}</p>
      {admin && (
        <RemoteContent remote={teams}>
          {(list) => {
            const chosen = teamId || (list.length === 1 ? list[0]!.id : "");
            return (
              <>
                <Field id="transfer-team" label={t("transfer.team")}>
                  <select id="transfer-team" value={chosen} onChange={(e) => setTeamId(e.currentTarget.value)}>
                    <option value="">{t("transfer.pickTeam")}</option>
                    {list.map((team) => <option key={team.id} value={team.id}>{team.name}</option>)}
                  </select>
                </Field>
                {chosen && <TeamTransfer key={chosen} teamId={chosen} />}
              </>
            );
          }}
        </RemoteContent>
      )}
      {!admin && teamId && <TeamTransfer teamId={teamId} />}
    </>
  );
}

interface Caseloads {
  specialists: User[];
  participants: Participant[];
}

function TeamTransfer({ teamId }: { teamId: string }) {
  const remote = useRemote(async (): Promise<Caseloads> => {
    // Specialists who have left are included: moving their caseload on is what a transfer is for.
    const specialists = await allUsers(authDeps, { team_id: teamId, role: "specialist", include_inactive: true });
    specialists.sort((a, b) => a.name.localeCompare(b.name, "nb"));
    const participants = await participantsOf(authDeps, specialists.map((s) => s.id));
    participants.sort((a, b) => fullName(a).localeCompare(fullName(b), "nb"));
    return { specialists, participants };
  }, [teamId]);
  return <RemoteContent remote={remote}>{(data) => <TransferForm data={data} onMoved={remote.reload} />}</RemoteContent>;
}

function TransferForm({ data, onMoved }: { data: Caseloads; onMoved: () => void }) {
  const { specialists, participants } = data;
  const [participantId, setParticipantId] = useState("");
  const [specialistId, setSpecialistId] = useState("");
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState("");
  const participant = participants.find((p) => p.id === participantId);
  const from = specialists.find((s) => s.id === participant?.specialist_id);
  const to = specialists.find((s) => s.id === specialistId);
  const targets = specialists.filter((s) => s.is_active && s.id !== participant?.specialist_id);

  if (participants.length === 0) return <Empty>{t("transfer.noParticipants")}</Empty>;

  function ask(event: Event) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!participant) found.participant_id = t("transfer.needParticipant");
    if (!to) found.specialist_id = t("transfer.needSpecialist");
    setProblems(found);
    setError("");
    setDone("");
    if (Object.keys(found).length === 0) setConfirming(true);
  }

  async function move() {
    if (!participant || !to) return;
    setBusy(true);
    try {
      await transferParticipant(authDeps, participant.id, to.id);
      setDone(t("transfer.done", { participant: fullName(participant), to: to.name }));
      setParticipantId("");
      setSpecialistId("");
      setConfirming(false);
      onMoved();
    } catch (e) {
      setProblems(fieldProblems(e, { topic: "transfer" }));
      setError(problemText(e, { topic: "transfer" }));
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  }

  const bySpecialist = specialists
    .map((s) => ({ specialist: s, caseload: participants.filter((p) => p.specialist_id === s.id) }))
    .filter((group) => group.caseload.length > 0);
  return (
    <form class="form card" onSubmit={ask} noValidate>
      <Field id="transfer-participant" label={t("transfer.participant")} problem={problems.participant_id}>
        <select
          id="transfer-participant"
          value={participantId}
          onChange={(e) => { setParticipantId(e.currentTarget.value); setSpecialistId(""); setConfirming(false); }}
          {...described("transfer-participant", false, problems.participant_id)}
        >
          <option value="">{t("transfer.pickParticipant")}</option>
          {bySpecialist.map(({ specialist, caseload }) => (
            <optgroup key={specialist.id} label={specialist.is_active ? specialist.name : t("transfer.inactiveSpecialist", { name: specialist.name })}>
              {caseload.map((p) => (
                <option key={p.id} value={p.id}>
                  {fullName(p)}{p.status && p.status !== "active" ? ` (${tEnum("participantStatus", p.status)})` : ""}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </Field>
      {participant && <p>{t("transfer.now", { name: from?.name ?? "" })}</p>}
      <Field id="transfer-specialist" label={t("transfer.specialist")} problem={problems.specialist_id}>
        <select
          id="transfer-specialist"
          value={specialistId}
          disabled={!participant}
          onChange={(e) => { setSpecialistId(e.currentTarget.value); setConfirming(false); }}
          {...described("transfer-specialist", false, problems.specialist_id)}
        >
          <option value="">{t("transfer.pickSpecialist")}</option>
          {targets.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </select>
      </Field>
      {participant && targets.length === 0 && <p class="warning">{t("transfer.noOtherSpecialist")}</p>}
      {confirming && participant && to ? (
        <Confirm
          question={t("transfer.confirm", { participant: fullName(participant), from: from?.name ?? "", to: to.name })}
          confirmLabel={t("transfer.confirmYes")}
          busy={busy}
          onConfirm={() => void move()}
          onCancel={() => setConfirming(false)}
        />
      ) : (
        <button type="submit" class="button primary">{t("transfer.submit")}</button>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <p role="status" class="ok">{done}</p>
    </form>
  );
}
