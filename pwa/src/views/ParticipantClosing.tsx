/**
 * Closing a participant's time in the programme (status closed, a closing date), or taking them
 * back in. Both are asked first and can be taken back with "Angre" afterwards: the caseload
 * count, and so the service's fidelity numbers, follow from it.
 */
import { useState } from "preact/hooks";
import { closeParticipant, reopenParticipant, undoChange } from "../actions";
import { db, showSnack } from "../app";
import { navigate } from "../hooks";
import { formatDate, t } from "../i18n";
import { viewRecord } from "../outbox";
import { fullName, isActive } from "../queries";
import { todayOslo } from "../time";
import type { Participant } from "../types";
import { Title } from "./common";
import { ConfirmDialog } from "./ConfirmDialog";
import { type Problem, TextField, useLoadedRecord, validDate } from "./EditParticipant";

type Loaded = Participant & { id: string };

/** Why `closedOn` cannot be the closing date of a participant who entered on `enrolledOn`. */
export function closingProblem(closedOn: string, enrolledOn: string | null | undefined): Problem | undefined {
  if (!closedOn) return { key: "closing.needDate" };
  if (!validDate(closedOn)) return { key: "form.badDate" };
  if (enrolledOn && closedOn < enrolledOn.slice(0, 10)) return { key: "participantEdit.closedBeforeEnrolled" };
  return undefined;
}

export function ParticipantClosing({ id }: { id: string }) {
  const loaded = useLoadedRecord(() => viewRecord(db, "participants", id) as Promise<Loaded | undefined>, [id]);
  if (loaded === null) return <p>{t("app.loading")}</p>;
  if (!loaded.record) {
    return (
      <>
        <Title>{t("participant.notFound")}</Title>
        <p><a href="#/participants">{t("nav.caseload")}</a></p>
      </>
    );
  }
  return isActive(loaded.record) ? <Close key={id} participant={loaded.record} /> : <Reopen key={id} participant={loaded.record} />;
}

function Close({ participant }: { participant: Loaded }) {
  const name = fullName(participant);
  const [closedOn, setClosedOn] = useState(() => todayOslo());
  const [problem, setProblem] = useState<Problem | undefined>();
  const [asking, setAsking] = useState(false);
  const back = `#/participants/${participant.id}`;

  function ask(event: Event) {
    event.preventDefault();
    const found = closingProblem(closedOn, participant.enrolled_on);
    setProblem(found);
    if (found) document.getElementById("closing-date")?.focus();
    else setAsking(true);
  }

  async function close() {
    const token = await closeParticipant(participant.id, closedOn);
    setAsking(false);
    showSnack(t("closing.closed", { name, date: formatDate(closedOn) }), () => undoChange(token));
    navigate(back);
  }

  return (
    <>
      <Title>{t("closing.title", { name })}</Title>
      <p>{t("closing.intro")}</p>
      <form class="form" onSubmit={ask} noValidate>
        <TextField
          id="closing-date"
          type="date"
          label={t("closing.date")}
          value={closedOn}
          onInput={setClosedOn}
          problem={problem}
          required
          min={participant.enrolled_on?.slice(0, 10) || "1900-01-01"}
          max="2999-12-31"
        />
        <div class="row form-buttons">
          <button type="submit" class="button danger">{t("closing.button")}</button>
          <a class="button" href={back}>{t("common.cancel")}</a>
        </div>
      </form>
      {asking && (
        <ConfirmDialog
          title={t("closing.question", { name, date: formatDate(closedOn) })}
          confirmLabel={t("closing.confirm")}
          cancelLabel={t("common.cancel")}
          danger
          onConfirm={close}
          onCancel={() => setAsking(false)}
        >
          <p>{t("closing.means")}</p>
        </ConfirmDialog>
      )}
    </>
  );
}

function Reopen({ participant }: { participant: Loaded }) {
  const name = fullName(participant);
  const [asking, setAsking] = useState(false);
  const back = `#/participants/${participant.id}`;

  async function reopen() {
    const token = await reopenParticipant(participant.id);
    setAsking(false);
    showSnack(t("closing.reopened", { name }), () => undoChange(token));
    navigate(back);
  }

  return (
    <>
      <Title>{t("closing.reopenTitle", { name })}</Title>
      <p>{participant.closed_on ? t("closing.closedOn", { date: formatDate(participant.closed_on) }) : t("closing.closedNoDate")}</p>
      <p>{t("closing.reopenIntro")}</p>
      <div class="row form-buttons">
        <button type="button" class="button primary" onClick={() => setAsking(true)}>{t("closing.reopenButton")}</button>
        <a class="button" href={back}>{t("common.cancel")}</a>
      </div>
      {asking && (
        <ConfirmDialog
          title={t("closing.reopenQuestion", { name })}
          confirmLabel={t("closing.reopenConfirm")}
          cancelLabel={t("common.cancel")}
          onConfirm={reopen}
          onCancel={() => setAsking(false)}
        >
          <p>{t("closing.reopenMeans")}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
