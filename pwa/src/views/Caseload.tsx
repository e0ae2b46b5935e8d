/** The specialist's caseload, and the way to enrol a new participant. */
import { useState } from "preact/hooks";
import { formatDate, t, tCount, tEnum } from "../i18n";
import { caseload, fullName, matchesSearch } from "../queries";
import type { SignedInUser } from "../types";
import { Empty, Title, useRecords } from "./common";

export function Caseload({ user }: { user: SignedInUser }) {
  const participants = useRecords("participants");
  const [query, setQuery] = useState("");
  const mine = caseload(participants, user.id ?? "");
  const shown = mine.filter((p) => matchesSearch(fullName(p), query));
  const active = mine.filter((p) => (p.status ?? "active") === "active").length;
  return (
    <>
      <Title>{t("caseload.title")}</Title>
      <p>{tCount("caseload.count", active)}</p>
      <div class="row actions">
        <a class="button primary" href="#/participants/new">{t("intake.link")}</a>
      </div>
      <div class="field">
        <label for="caseload-search">{t("caseload.search")}</label>
        <input id="caseload-search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      </div>
      {mine.length === 0 ? (
        <Empty>{t("intake.caseloadEmpty")}</Empty>
      ) : shown.length === 0 ? (
        <Empty>{t("common.noMatch")}</Empty>
      ) : (
        <ul class="list">
          {shown.map((p) => (
            <li key={p.id}>
              <a href={`#/participants/${p.id}`}>
                <strong>{fullName(p)}</strong>
                <span>
                  {tEnum("participantStatus", p.status ?? "active")}
                  {p.closed_on ? ` · ${t("intake.closedOn", { date: formatDate(p.closed_on) })}` : ""}
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
