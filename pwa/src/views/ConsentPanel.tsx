/**
 * A participant's consent per counterpart (employers, therapist, NAV): what is in force, and
 * changing it as a deliberate step. The question says what the change means before anything is
 * recorded, and "Angre" takes it back afterwards.
 */
import { useState } from "preact/hooks";
import { COUNTERPARTS, type ConsentChange, type Counterpart, changeConsent, undoConsentChange } from "../actions";
import { db, showSnack } from "../app";
import { useLive } from "../hooks";
import { type MessageKey, formatDate, t } from "../i18n";
import { byParticipant } from "../queries";
import { osloDate } from "../time";
import type { RecordOf } from "../types";
import { ConfirmDialog } from "./ConfirmDialog";

type ConsentRecord = RecordOf<"consents">;

function instant(record: ConsentRecord): number {
  const at = Date.parse(record.recorded_at ?? "");
  return Number.isNaN(at) ? -Infinity : at;
}

/**
 * The decision in force per counterpart: the latest recorded. Compared as instants, since a
 * record from the server and one written here may carry different UTC offsets; on a tie the
 * later-made record (UUIDv7 ids sort by creation) wins, as on the server.
 */
export function consentsInForce(consents: ConsentRecord[]): Map<Counterpart, ConsentRecord> {
  const latest = new Map<Counterpart, ConsentRecord>();
  for (const consent of consents) {
    const counterpart = consent.counterpart as Counterpart;
    if (!(COUNTERPARTS as readonly string[]).includes(counterpart) || consent.deleted_at) continue;
    const seen = latest.get(counterpart);
    if (!seen || instant(consent) > instant(seen) || (instant(consent) === instant(seen) && consent.id > seen.id)) {
      latest.set(counterpart, consent);
    }
  }
  return latest;
}

interface Question {
  counterpart: Counterpart;
  grant: boolean;
  before: boolean | null;
}

const WITHDRAW_MEANS: Record<Counterpart, MessageKey> = {
  employers: "consentCare.withdrawMeans.employers",
  therapist: "consentCare.withdrawMeans.therapist",
  nav: "consentCare.withdrawMeans.nav",
};
const GRANT_MEANS: Record<Counterpart, MessageKey> = {
  employers: "consentCare.grantMeans.employers",
  therapist: "consentCare.grantMeans.therapist",
  nav: "consentCare.grantMeans.nav",
};
const CONTACT_WITH: Record<Counterpart, MessageKey> = {
  employers: "consentCare.with.employers",
  therapist: "consentCare.with.therapist",
  nav: "consentCare.with.nav",
};
const COUNTERPART_NAME: Record<Counterpart, MessageKey> = {
  employers: "consentCare.name.employers",
  therapist: "consentCare.name.therapist",
  nav: "consentCare.name.nav",
};

export function ConsentPanel({ participantId }: { participantId: string }) {
  const consents = useLive(() => byParticipant(db, "consents", participantId), [participantId], [] as ConsentRecord[]);
  const [question, setQuestion] = useState<Question | null>(null);
  const inForce = consentsInForce(consents);

  async function confirm(asked: Question) {
    const change = await changeConsent(participantId, asked.counterpart, asked.grant, asked.before);
    setQuestion(null);
    const what = t(CONTACT_WITH[asked.counterpart]);
    showSnack(asked.grant ? t("consentCare.granted", { what }) : t("consentCare.withdrawn", { what }), () => undo(change));
  }

  async function undo(change: ConsentChange) {
    await undoConsentChange(change);
    showSnack(t("consentCare.undone"));
  }

  const what = question ? t(CONTACT_WITH[question.counterpart]) : "";
  return (
    <section class="card" aria-labelledby="consents-title">
      <h2 id="consents-title">{t("consentCare.title")}</h2>
      <p class="hint">{t("consentCare.intro")}</p>
      <ul class="list plain">
        {COUNTERPARTS.map((counterpart) => {
          const consent = inForce.get(counterpart);
          const granted = consent?.granted === true;
          const date = consent?.recorded_at ? formatDate(osloDate(consent.recorded_at)) : "";
          const state = !consent
            ? t("consentCare.stateNone")
            : granted
              ? t("consentCare.stateGranted", { date })
              : t("consentCare.stateWithdrawn", { date });
          const contact = t(CONTACT_WITH[counterpart]);
          return (
            <li key={counterpart} class="consent">
              <span>
                <strong>{t(COUNTERPART_NAME[counterpart])}</strong>: {state}
              </span>
              <button
                type="button"
                class={`button small ${granted ? "danger" : ""}`}
                onClick={() => setQuestion({ counterpart, grant: !granted, before: consent ? granted : null })}
              >
                {granted ? t("consentCare.withdrawButton", { what: contact }) : t("consentCare.grantButton", { what: contact })}
              </button>
            </li>
          );
        })}
      </ul>
      {question && (
        <ConfirmDialog
          title={question.grant ? t("consentCare.grantQuestion", { what }) : t("consentCare.withdrawQuestion", { what })}
          confirmLabel={question.grant ? t("consentCare.grantConfirm") : t("consentCare.withdrawConfirm")}
          cancelLabel={t("common.cancel")}
          danger={!question.grant}
          onConfirm={() => confirm(question)}
          onCancel={() => setQuestion(null)}
        >
          <p>{t(question.grant ? GRANT_MEANS[question.counterpart] : WITHDRAW_MEANS[question.counterpart])}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
