import { afterEach, describe, expect, it } from "vitest";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import nb from "../src/i18n/nb.json";
import en from "../src/i18n/en.json";
import { formatNumber, formatQuarter, setLang, t, tCount } from "../src/i18n";
import { fieldMessageText, syncProblemText, waitText } from "../src/problems";
import { capText, reasonText } from "../src/views/Fidelity";

const catalogs: Record<string, Record<string, string>> = { nb, en };

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [readFileSync(path, "utf8")] : [];
  });
}

const code = sources(join(__dirname, "../src")).join("\n");
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

afterEach(() => setLang("nb"));

describe("the catalogs", () => {
  it("have the same keys in bokmål and English, none empty, with the same placeholders", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(nb).sort());
    for (const [key, text] of Object.entries(nb)) {
      expect(text, `nb ${key}`).toMatch(/\S/);
      expect(en[key as keyof typeof en], `en ${key}`).toMatch(/\S/);
      expect(placeholders(en[key as keyof typeof en]), key).toEqual(placeholders(text));
    }
  });

  it("have every key the code asks for, and a singular and a plural for every count", () => {
    const asked = [...code.matchAll(/\bt\("([\w.]+)"/g)].map((m) => m[1]!);
    expect(asked.filter((key) => !(key in nb))).toEqual([]);
    const counted = new Set([...code.matchAll(/\btCount\("([\w.]+)"/g)].map((m) => m[1]!));
    expect(counted.size).toBeGreaterThan(10);
    for (const base of counted) {
      for (const catalog of Object.values(catalogs)) {
        expect(catalog[`${base}.one`], `${base}.one`).toBeDefined();
        expect(catalog[`${base}.other`], `${base}.other`).toBeDefined();
      }
    }
  });

  it("hold no key the code never uses", () => {
    const literals = new Set([...code.matchAll(/"([\w.]+)"/g)].map((m) => m[1]!));
    const counted = new Set([...code.matchAll(/\btCount\("([\w.]+)"/g)].map((m) => m[1]!));
    // tEnum("prefix", value) and t(`prefix.${value}`) build keys at run time.
    const prefixes = [...code.matchAll(/\btEnum\("([\w.]+)"/g), ...code.matchAll(/\bt\(`([\w.]+)\.\$\{/g)].map((m) => `${m[1]!}.`);
    const unused = Object.keys(nb).filter((key) => {
      if (literals.has(key)) return false;
      const base = key.replace(/\.(one|other)$/, "");
      if (base !== key && counted.has(base)) return false;
      return !prefixes.some((prefix) => key.startsWith(prefix));
    });
    expect(unused).toEqual([]);
  });

  it("say «synkronisere» in bokmål, never «synke», and «modelltroskap», never «troskap» alone", () => {
    for (const [key, text] of Object.entries(nb)) {
      expect(text, key).not.toMatch(/synke|\bsynk\b|synkfeil/i);
      expect(text, key).not.toMatch(/(?<!modell)troskap/i);
    }
    expect(nb["status.pending"]).toBe("Ikke synkronisert: {count}");
    expect(nb["status.syncNow"]).toBe("Synkroniser nå");
    expect(nb["nav.fidelity"]).toBe("Modelltroskap og resultater");
  });

  it("no longer tell a specialist that the team adds participants", () => {
    for (const [key, text] of Object.entries(nb)) expect(text, key).not.toMatch(/legges inn av teamet/);
    expect(nb["intake.caseloadEmpty"]).toMatch(/Legg inn en ny deltaker/);
  });

  it("use exactly the login words the acceptance checks look for", () => {
    expect(nb["login.email"]).toBe("E-post");
    expect(nb["login.password"]).toBe("Passord");
    expect(nb["login.submit"]).toBe("Logg inn");
    expect(nb["snack.undo"]).toBe("Angre");
    expect(nb["update.ready"]).toBe("Ny versjon er klar");
    expect(nb["update.apply"]).toBe("Oppdater");
  });
});

describe("numbers, counts and quarters", () => {
  it("are written as bokmål writes them", () => {
    setLang("nb");
    expect(formatNumber(91.5)).toBe("91,5");
    expect(tCount("outcomes.days", 91.5)).toBe("91,5 dager");
    expect(tCount("outcomes.days", 1)).toBe("1 dag");
    expect(formatQuarter("2026-Q3")).toBe("3. kvartal 2026");
    expect(tCount("settings.logoutPending", 1)).toBe("Du har 1 endring som ikke er sendt. Logger du ut nå, går den tapt.");
    expect(tCount("settings.logoutPending", 3)).toMatch(/^Du har 3 endringer /);
    expect(tCount("status.pulling", 1)).toBe("Henter … (1 endring)");
    expect(tCount("caseload.count", 1)).toBe("1 aktiv deltaker");
  });

  it("and as English writes them", () => {
    setLang("en");
    expect(formatNumber(91.5)).toBe("91.5");
    expect(tCount("outcomes.days", 91.5)).toBe("91.5 days");
    expect(formatQuarter("2026-Q3")).toBe("Q3 2026");
    expect(tCount("myPlan.openSteps", 1)).toBe("You have 1 step to do.");
    expect(tCount("myPlan.openSteps", 2)).toBe("You have 2 steps to do.");
  });
});

describe("a failed sync in the status bar", () => {
  const english = /\b(the|server|has|again|later|gateway|try|cannot)\b/i;

  it("is said in bokmål by code, or by HTTP status where the answer has none", () => {
    setLang("nb");
    expect(syncProblemText({ httpStatus: 500, code: "server_error" })).toBe(`Synkroniseringsfeil: ${nb["syncError.server"]}`);
    for (const status of [502, 503, 504]) {
      expect(syncProblemText({ httpStatus: status })).toBe(`Synkroniseringsfeil: ${nb["syncError.unreachable"]}`);
    }
    expect(syncProblemText({ httpStatus: 503, code: "unavailable" })).toBe(`Synkroniseringsfeil: ${nb["syncError.unreachable"]}`);
    expect(syncProblemText({ httpStatus: 429, code: "too_many_requests", retryAfterSeconds: 30 })).toBe(
      "Synkroniseringsfeil: Serveren ber appen vente. Prøver igjen om 30 sekunder.",
    );
    expect(syncProblemText({ httpStatus: 429, retryAfterSeconds: 120 })).toMatch(/om 2 minutter\.$/);
    expect(syncProblemText({ httpStatus: 426, code: "update_required" })).toBe(`Synkroniseringsfeil: ${nb["syncError.updateRequired"]}`);
    expect(syncProblemText({ httpStatus: 418 })).toBe("Synkroniseringsfeil: Serveren svarte med feilkode 418. Prøver igjen snart.");
    expect(syncProblemText({})).toBe(nb["status.error"]);
    for (const status of [400, 403, 404, 409, 429, 500, 502, 503]) {
      expect(syncProblemText({ httpStatus: status }), String(status)).not.toMatch(english);
    }
  });

  it("is said in English when the app is in English", () => {
    setLang("en");
    expect(syncProblemText({ httpStatus: 502 })).toBe(`Sync error: ${en["syncError.unreachable"]}`);
    expect(waitText(1)).toBe("1 second");
  });
});

describe("a server's message about a field", () => {
  it("is translated where known, and never shown in English in bokmål", () => {
    setLang("nb");
    expect(fieldMessageText("Longer than maximum length 200.")).toBe("Høyst 200 tegn.");
    expect(fieldMessageText("Something only the server knows.")).toBe(t("fieldError.notValid"));
    setLang("en");
    expect(fieldMessageText("Something only the server knows.")).toBe("Something only the server knows.");
  });
});

describe("the fidelity report's own words", () => {
  it("are said in bokmål: why an item has no score, and why its score is capped", () => {
    setLang("nb");
    expect(reasonText("No jobs were obtained in the period.")).toBe("Ingen fikk jobb i perioden.");
    expect(reasonText("A reason this version does not know.")).toBe(nb["fidelity.noData"]);
    const contact = { item: "frequent_employer_contact", evidence: { reviewed_specialist_weeks: 5, specialist_weeks: 26 } };
    expect(capText(contact, 3)).toBe(
      "Høyeste mulige skår er 3: 5 av 26 uker for jobbspesialistene er merket som gjennomgått. Skår 4 eller 5 krever minst 3 av 4.",
    );
    expect(capText({ ...contact, evidence: { reviewed_specialist_weeks: 0, specialist_weeks: 26 } }, 2)).toMatch(/Ingen uke i perioden/);
    expect(capText({ item: "something_new", evidence: {} }, 4)).toBe("Høyeste mulige skår er 4.");
  });
});
