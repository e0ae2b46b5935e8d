/**
 * The news that a sync brought a conflict: a banner saying what it is about, with the way to
 * resolve it. Each conflict is announced once per device (conflicts.ts, takeNewConflicts); the
 * banner goes when the user closes it, opens the conflicts screen, or the conflicts are resolved.
 */
import { useEffect, useState } from "preact/hooks";
import { db } from "../app";
import { type ConflictView, openConflicts, takeNewConflicts } from "../conflicts";
import { META, getMeta } from "../db";
import { type Route, useLive } from "../hooks";
import { t, tEnum } from "../i18n";
import { viewRecord } from "../outbox";
import type { Stored } from "../types";
import { conflictSubject } from "./Conflicts";

interface News {
  conflict: ConflictView;
  record: Stored | undefined;
}

/** The banner's sentence: "1 ny konflikt: Deltaker: Ola Nordmann – telefon". */
export function newsText(news: News[]): string {
  const first = news[0];
  if (!first) return "";
  const about = { subject: conflictSubject(first.conflict, first.record), field: tEnum("field", first.conflict.field) };
  return news.length === 1 ? t("conflictNews.one", about) : t("conflictNews.many", { ...about, count: news.length });
}

export function ConflictNotice({ route }: { route: Route }) {
  // Open conflicts and whether the first full sync is done: any change to them is a reason to
  // look for news. Read together (Promise.all), so that the live query observes both.
  const signature = useLive(
    async () => {
      const [open, initialDone] = await Promise.all([openConflicts(db), getMeta<boolean>(db, META.initialDone)]);
      return `${initialDone ? "synced" : "first"}:${open.map((c) => c.id).sort().join(",")}`;
    },
    [],
    "",
  );
  const [news, setNews] = useState<News[]>([]);
  const onConflictsScreen = route.path[0] === "conflicts";

  useEffect(() => {
    if (!signature) return;
    void takeNewConflicts(db).then(async (found) => {
      if (found.length === 0) return;
      const arrived = await Promise.all(found.map(async (conflict) => ({ conflict, record: await viewRecord(db, conflict.entity, conflict.record_id) })));
      setNews((current) => [...current.filter((n) => !found.some((f) => f.id === n.conflict.id)), ...arrived]);
    });
  }, [signature]);

  useEffect(() => {
    if (onConflictsScreen) setNews([]);
  }, [onConflictsScreen]);

  const open = new Set(signature.slice(signature.indexOf(":") + 1).split(","));
  const shown = onConflictsScreen ? [] : news.filter((n) => open.has(n.conflict.id));
  return (
    <div class="conflict-news-region" role="status" aria-live="polite">
      {shown.length > 0 && (
        <div class="banner conflict-news">
          <span>{newsText(shown)}</span>
          <span class="row">
            <a class="button small primary" href="#/conflicts">{shown.length === 1 ? t("conflictNews.seeOne") : t("conflictNews.seeMany")}</a>
            <button type="button" class="button small" onClick={() => setNews([])}>{t("conflictNews.close")}</button>
          </span>
        </div>
      )}
    </div>
  );
}
