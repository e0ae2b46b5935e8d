import { describe, expect, it, vi } from "vitest";

vi.mock("../src/app", async () => {
  const { FeltloggDB } = await import("../src/db");
  return {
    db: new FeltloggDB("edit-forms-test"),
    syncLoop: { nudge: () => undefined },
    authDeps: {},
    showSnack: () => undefined,
    onSnack: () => () => undefined,
  };
});

import { careerProfileForm, employerForm, participantForm } from "../src/actions";
import { excerpt, validateCareerProfile } from "../src/views/CareerProfile";
import { validateEmployer } from "../src/views/EditEmployer";
import { textLength, tooLong, validDate, validEmail, validLocalDateTime, validateParticipant } from "../src/views/EditParticipant";
import { PAGE_SIZE, newestFirst, validateTeamMeeting } from "../src/views/TeamMeetings";

const form = participantForm({
  first_name: "Ola", last_name: "Nordmann", phone: "", email: "", status: "active", enrolled_on: "2026-03-02", closed_on: null,
});

describe("participant checks (the server's rules)", () => {
  it("accepts a complete form", () => {
    expect(validateParticipant(form)).toEqual({});
  });

  it("needs a first and a last name with a visible character, at most 100 characters", () => {
    expect(validateParticipant({ ...form, first_name: "  ", last_name: "" })).toEqual({
      first_name: { key: "participantEdit.needFirstName" },
      last_name: { key: "participantEdit.needLastName" },
    });
    expect(validateParticipant({ ...form, last_name: "x".repeat(101) }).last_name).toEqual({ key: "form.tooLong", vars: { max: 100 } });
    expect(validateParticipant({ ...form, last_name: "x".repeat(100) })).toEqual({});
  });

  it("checks the phone's length and the e-mail address", () => {
    expect(validateParticipant({ ...form, phone: "1".repeat(31) }).phone?.key).toBe("form.tooLong");
    expect(validateParticipant({ ...form, email: "ola@" }).email?.key).toBe("participantEdit.badEmail");
    expect(validateParticipant({ ...form, email: " ola.nordmann@nav.no " })).toEqual({});
  });

  it("needs a real date of entry, and a closing date not before it", () => {
    expect(validateParticipant({ ...form, enrolled_on: "" }).enrolled_on?.key).toBe("participantEdit.needEnrolled");
    expect(validateParticipant({ ...form, enrolled_on: "1899-12-31" }).enrolled_on?.key).toBe("form.badDate");
    expect(validateParticipant({ ...form, closed_on: "2026-03-01" }).closed_on?.key).toBe("participantEdit.closedBeforeEnrolled");
    expect(validateParticipant({ ...form, closed_on: "2026-03-02", status: "closed" })).toEqual({});
    expect(validateParticipant({ ...form, closed_on: "2026-02-30" }).closed_on?.key).toBe("form.badDate");
  });
});

describe("dates, times and e-mail", () => {
  it("knows real calendar dates in the years the server stores", () => {
    expect(validDate("2028-02-29")).toBe(true);
    expect(validDate("2026-02-29")).toBe(false);
    expect(validDate("2026-13-01")).toBe(false);
    expect(validDate("3000-01-01")).toBe(false);
    expect(validDate("1900-01-01")).toBe(true);
    expect(validDate("2026-1-1")).toBe(false);
  });

  it("reads datetime-local values", () => {
    expect(validLocalDateTime("2026-11-20T09:30")).toBe(true);
    expect(validLocalDateTime("2026-11-20T09:30:15")).toBe(true);
    expect(validLocalDateTime("2026-11-20T24:00")).toBe(false);
    expect(validLocalDateTime("2026-11-20")).toBe(false);
    expect(validLocalDateTime("")).toBe(false);
  });

  it("checks e-mail as the server does", () => {
    for (const ok of ["ola@nav.no", "kari.nordmann+jobb@eksempel.no", "bjørn@øvre.no", "a@localhost", "x@[10.0.0.1]", "o'neil@example.com"]) {
      expect(validEmail(ok), ok).toBe(true);
    }
    for (const bad of ["ola", "ola@", "@nav.no", "ola@nav", "ola nordmann@nav.no", "ola@nav..no", ".ola@nav.no", "ola@-nav.no"]) {
      expect(validEmail(bad), bad).toBe(false);
    }
  });

  it("counts characters as the server does (an emoji is one)", () => {
    expect(textLength("😀😀")).toBe(2);
    expect(tooLong("😀".repeat(30), 30)).toBeUndefined();
    expect(tooLong("😀".repeat(31), 30)).toEqual({ key: "form.tooLong", vars: { max: 30 } });
  });
});

describe("employer checks", () => {
  const rema = employerForm({ name: "Rema 1000", org_number: "" });
  const team = [
    { id: "e1", name: "Rema 1000", org_number: null },
    { id: "e2", name: "Brønnøysundregistrene", org_number: "974760673" },
    { id: "e3", name: "Nedlagt AS", org_number: "923609016", deleted_at: "2026-01-01T00:00:00Z" },
  ];

  it("needs a name, and a valid organisation number if one is given", () => {
    expect(validateEmployer(rema, team, "e1")).toEqual({});
    expect(validateEmployer({ ...rema, name: " " }, team, "e1").name?.key).toBe("employers.needName");
    expect(validateEmployer({ ...rema, org_number: "974760674" }, team, "e1").org_number?.key).toBe("employers.badOrgNumber");
    expect(validateEmployer({ ...rema, org_number: "12345" }, team, "e1").org_number?.key).toBe("employers.badOrgNumber");
  });

  it("refuses an organisation number another employer of the team has (not a deleted one, not its own)", () => {
    expect(validateEmployer({ ...rema, org_number: "974 760 673" }, team, "e1").org_number).toEqual({
      key: "employerEdit.orgTaken", vars: { name: "Brønnøysundregistrene" },
    });
    expect(validateEmployer({ ...rema, org_number: "974760673" }, team, "e2")).toEqual({});
    expect(validateEmployer({ ...rema, org_number: "923609016" }, team, "e1")).toEqual({});
  });

  it("checks the lengths the server stores", () => {
    const problems = validateEmployer({ ...rema, address: "a".repeat(301), notes: "n".repeat(4001), industry: "i".repeat(100) }, team, "e1");
    expect(Object.keys(problems).sort()).toEqual(["address", "notes"]);
  });
});

describe("career profile checks", () => {
  it("allows 4000 characters in each text and 2000 for disclosure", () => {
    const ok = { ...careerProfileForm(undefined), strengths: "s".repeat(4000), disclosure_preference: "d".repeat(2000) };
    expect(validateCareerProfile(ok)).toEqual({});
    const problems = validateCareerProfile({ ...ok, work_history: "w".repeat(4001), disclosure_preference: "d".repeat(2001) });
    expect(problems).toEqual({
      work_history: { key: "form.tooLong", vars: { max: 4000 } },
      disclosure_preference: { key: "form.tooLong", vars: { max: 2000 } },
    });
  });

  it("summarises a text on one line", () => {
    expect(excerpt("Butikk\n  eller lager")).toBe("Butikk eller lager");
    expect(excerpt("a".repeat(200), 10)).toBe(`${"a".repeat(9)}…`);
    expect(excerpt(null)).toBe("");
  });
});

describe("team meetings", () => {
  const ok = { starts_at: "2026-11-20T09:30", duration: "60", kind: "treatment_team" as const, notes: "" };

  it("checks time, duration (1–1440 whole minutes), kind and note length", () => {
    expect(validateTeamMeeting(ok)).toEqual({});
    expect(validateTeamMeeting({ ...ok, starts_at: "" }).starts_at?.key).toBe("meeting.needTime");
    expect(validateTeamMeeting({ ...ok, starts_at: "20.11.2026" }).starts_at?.key).toBe("form.badDateTime");
    for (const duration of ["0", "1441", "30.5", "", "abc"]) {
      expect(validateTeamMeeting({ ...ok, duration }).duration?.key, duration).toBe("meeting.badDuration");
    }
    expect(validateTeamMeeting({ ...ok, duration: "1440" })).toEqual({});
    expect(validateTeamMeeting({ ...ok, notes: "n".repeat(2001) }).notes?.key).toBe("form.tooLong");
    expect(validateTeamMeeting({ ...ok, kind: "therapist" as never }).kind?.key).toBe("teamMeetings.needKind");
  });

  it("lists the newest first", () => {
    const meetings = [
      { id: "a", starts_at: "2026-11-16T09:00:00+01:00" },
      { id: "b", starts_at: "2026-11-20T08:00:00Z" },
      { id: "c", starts_at: "2026-11-20T10:00:00+01:00" }, // 09:00Z: after b
    ];
    expect(newestFirst(meetings).map((m) => m.id)).toEqual(["c", "b", "a"]);
    expect(PAGE_SIZE).toBeGreaterThan(0);
  });
});
