/**
 * One employer: who to call (contact person and phone), the user's contacts with them (newest
 * first, each open for correcting), and the job matches there. A new contact is one tap away.
 */
import { db } from "../app";
import { useLive } from "../hooks";
import { t } from "../i18n";
import { viewRecord, viewRecords } from "../outbox";
import type { Employer, RecordOf, SignedInUser } from "../types";
import { ActivityList, Empty, JobMatchList, ShowMore, Title, byId, contactRow, newestActivityFirst, usePaged, useRecords } from "./common";

/** How many contacts the page shows at first, and how many more each "Vis flere" adds. */
export const CONTACTS_PAGE = 10;

export function EmployerPage({ id, user }: { id: string; user: SignedInUser }) {
  const employer = useLive(() => viewRecord(db, "employers", id), [id], null) as (Employer & { id: string }) | undefined | null;
  const contacts = useLive(
    () => viewRecords(db, "employer_contacts", { field: "employer_id", value: id }) as Promise<RecordOf<"employer_contacts">[]>,
    [id],
    [] as RecordOf<"employer_contacts">[],
  );
  const matches = useLive(
    () => viewRecords(db, "job_matches", { field: "employer_id", value: id }) as Promise<RecordOf<"job_matches">[]>,
    [id],
    [] as RecordOf<"job_matches">[],
  );
  const people = byId(useRecords("participants"));
  const rows = newestActivityFirst(
    contacts.filter((c) => !c.specialist_id || c.specialist_id === user.id).map((c) => contactRow(c, new Map(), people, user.id, "employer")),
  );
  const paged = usePaged(rows, CONTACTS_PAGE);

  if (employer === null) return <p>{t("app.loading")}</p>;
  if (!employer) {
    return (
      <>
        <Title>{t("employerEdit.notFound")}</Title>
        <p><a href="#/employers">{t("nav.employers")}</a></p>
      </>
    );
  }
  const phone = employer.phone?.replace(/[^\d+]/g, "") ?? "";
  return (
    <>
      <Title>{employer.name}</Title>
      {(employer.industry || employer.address) && <p class="muted">{[employer.industry, employer.address].filter(Boolean).join(" · ")}</p>}
      <div class="row actions">
        <a class="button primary" href={`#/log-contact/${id}`}>{t("employerPage.logContact")}</a>
        <a class="button" href={`#/employers/${id}/edit`}>{t("employerPage.edit")}</a>
      </div>
      <section class="card" aria-labelledby="employer-contact-person">
        <h2 id="employer-contact-person">{t("employerPage.contactPerson")}</h2>
        {employer.contact_person || employer.phone ? (
          <dl class="contact-card">
            {employer.contact_person && (
              <div>
                <dt>{t("employerPage.name")}</dt>
                <dd>{employer.contact_person}</dd>
              </div>
            )}
            {employer.phone && (
              <div>
                <dt>{t("employerPage.phone")}</dt>
                <dd>{phone ? <a href={`tel:${phone}`}>{employer.phone}</a> : employer.phone}</dd>
              </div>
            )}
          </dl>
        ) : (
          <Empty>{t("employerPage.noContactPerson")}</Empty>
        )}
        {employer.notes && <p class="employer-notes">{employer.notes}</p>}
      </section>
      <section class="card" aria-labelledby="employer-contacts">
        <h2 id="employer-contacts">{t("employerPage.contacts")} <span class="count">({rows.length})</span></h2>
        <ActivityList rows={paged.shown} empty={t("employerPage.noContacts")} />
        <ShowMore more={paged.more} onClick={paged.showMore} />
      </section>
      <section class="card" aria-labelledby="employer-jobs">
        <h2 id="employer-jobs">{t("employerPage.jobs")} <span class="count">({matches.length})</span></h2>
        <JobMatchList matches={matches} empty="employerPage.noJobs" />
      </section>
    </>
  );
}
