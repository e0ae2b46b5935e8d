import { describe, expect, it, vi } from "vitest";

// settings.ts fetches through the app's auth; these tests use only its rules.
vi.mock("../src/app", async () => {
  const { FeltloggDB } = await import("../src/db");
  return {
    db: new FeltloggDB("when-bound-test"),
    syncLoop: { nudge: () => undefined },
    authDeps: {},
    showSnack: () => undefined,
    onSnack: () => () => undefined,
  };
});

import { contactFields, contactFormOf, meetingFields, meetingFormOf } from "../src/actions";
import { dayAllowed, dayChoices, earliestAllowed, instantOf, whenOf, whenProblem, whenRule } from "../src/settings";
import { validateContact } from "../src/views/LogContact";
import { validateMeeting } from "../src/views/LogMeeting";

// Local times (the device's zone, whatever it is), as the form's date and time fields hold them.
const monday = new Date(2026, 10, 23, 9, 0, 0); // Monday 23 November 2026, 09:00
const contactRule = whenRule({ activity_max_days_back: 14, timezone: "Europe/Oslo" }, false);
const meetingRule = whenRule({ activity_max_days_back: 14, timezone: "Europe/Oslo" }, true);

describe("when work may have happened (the server's rule)", () => {
  it("has no bound without the server's settings, or when the server sets none", () => {
    expect(whenRule(undefined, false)).toEqual({ maxDaysBack: 0, future: false });
    expect(earliestAllowed(whenRule({ activity_max_days_back: 0, timezone: "Europe/Oslo" }, false), monday)).toBeNull();
    expect(whenProblem({ date: "2019-03-01", time: "10:00" }, whenRule(undefined, false), monday, monday)).toBeUndefined();
  });

  it("takes a contact logged on Monday for last Friday", () => {
    expect(whenProblem({ date: "2026-11-20", time: "14:00" }, contactRule, monday, monday)).toBeUndefined();
  });

  it("counts the bound back in whole days from when the work is logged, to the minute", () => {
    expect(earliestAllowed(contactRule, monday)).toEqual(new Date(2026, 10, 9, 9, 0, 0));
    expect(whenProblem({ date: "2026-11-09", time: "09:00" }, contactRule, monday, monday)).toBeUndefined();
    const early = whenProblem({ date: "2026-11-09", time: "08:59" }, contactRule, monday, monday, () => "9. nov. 09:00");
    expect(early).toEqual({ key: "when.tooEarly", vars: { days: 14, earliest: "9. nov. 09:00" } });
    expect(whenProblem({ date: "2026-11-01", time: "12:00" }, meetingRule, monday, monday)?.key).toBe("when.tooEarly");
  });

  it("refuses a contact in the future but takes a meeting planned ahead", () => {
    const now = new Date(2026, 10, 23, 9, 0, 30);
    expect(whenProblem({ date: "2026-11-23", time: "09:00" }, contactRule, now, now)).toBeUndefined();
    expect(whenProblem({ date: "2026-11-23", time: "09:01" }, contactRule, now, now)?.key).toBe("when.future");
    expect(whenProblem({ date: "2026-11-24", time: "08:00" }, contactRule, now, now)?.key).toBe("when.future");
    expect(whenProblem({ date: "2026-12-03", time: "10:00" }, meetingRule, now, now)).toBeUndefined();
  });

  it("judges an edit from when the work was first logged, as the server does", () => {
    const loggedAt = new Date(2026, 10, 2, 16, 0); // logged three weeks before `monday`
    const happened = { date: "2026-10-22", time: "10:00" }; // 11 days before it was logged
    expect(whenProblem(happened, contactRule, loggedAt, monday)).toBeUndefined();
    expect(whenProblem(happened, contactRule, monday, monday)?.key).toBe("when.tooEarly");
  });

  it("says what is missing or not a real date and time", () => {
    expect(whenProblem({ date: "", time: "10:00" }, contactRule, monday, monday)?.key).toBe("when.needDate");
    expect(whenProblem({ date: "2026-11-20", time: "" }, contactRule, monday, monday)?.key).toBe("when.needTime");
    expect(whenProblem({ date: "2026-02-30", time: "10:00" }, contactRule, monday, monday)?.key).toBe("when.badDateTime");
    expect(whenProblem({ date: "2026-11-20", time: "24:00" }, contactRule, monday, monday)?.key).toBe("when.badDateTime");
    expect(instantOf({ date: "2026-11-20", time: "14:05" })).toEqual(new Date(2026, 10, 20, 14, 5));
    expect(whenOf(new Date(2026, 0, 5, 7, 3, 59))).toEqual({ date: "2026-01-05", time: "07:03" });
  });

  it("offers today, yesterday and a day picker within the bound (no later than today for a contact)", () => {
    const contact = dayChoices(contactRule, monday, monday);
    expect(contact).toEqual({ today: "2026-11-23", yesterday: "2026-11-22", min: "2026-11-09", max: "2026-11-23" });
    expect(dayAllowed("2026-11-20", contact)).toBe(true);
    expect(dayAllowed("2026-11-08", contact)).toBe(false);
    expect(dayAllowed("2026-11-24", contact)).toBe(false);
    const meeting = dayChoices(meetingRule, monday, monday);
    expect(meeting.max).toBeUndefined();
    expect(dayAllowed("2027-01-10", meeting)).toBe(true);
    expect(dayChoices(whenRule(undefined, false), monday, monday).min).toBeUndefined();
    expect(dayChoices(contactRule, monday, new Date(2027, 0, 1, 0, 30)).yesterday).toBe("2026-12-31");
  });
});

describe("the forms check the rule before anything is sent", () => {
  it("checks a new contact's time, and an edited one's only when the time changed", () => {
    const form = { ...contactFormOf(undefined, monday), employer_id: "e1", when: { date: "2026-11-01", time: "10:00" } };
    expect(validateContact(form, contactRule, monday, monday, true).when?.key).toBe("when.tooEarly");
    // A contact from long ago whose note is corrected: its time is not new, the server does not judge it.
    expect(validateContact(form, contactRule, monday, monday, false)).toEqual({});
    expect(validateContact({ ...form, employer_id: "" }, contactRule, monday, monday, false).employer_id?.key).toBe("activityEdit.needEmployer");
  });

  it("sends when it happened with the device's offset, and the mode the switch says", () => {
    const form = { ...contactFormOf(undefined, monday), employer_id: "e1", when: { date: "2026-11-20", time: "14:00" } };
    const fields = contactFields(form);
    expect(Date.parse(fields.contacted_at as string)).toBe(new Date(2026, 10, 20, 14, 0).getTime());
    expect(fields.mode).toBe("in_person");
    expect(contactFields({ ...form, face_to_face: false, remote_mode: "video" }).mode).toBe("video");
    // A contact read back into the form gives the same fields: an untouched edit sends nothing.
    const stored = { id: "c1", ...fields } as Parameters<typeof contactFormOf>[0];
    expect(contactFields(contactFormOf(stored))).toEqual(fields);
  });

  it("lets a meeting be planned ahead but not set back past the bound", () => {
    const form = { ...meetingFormOf(undefined, monday, "p1") };
    expect(validateMeeting({ ...form, when: { date: "2026-12-01", time: "10:00" } }, meetingRule, monday, monday, true)).toEqual({});
    expect(validateMeeting({ ...form, when: { date: "2026-11-02", time: "10:00" } }, meetingRule, monday, monday, true).when?.key).toBe("when.tooEarly");
    expect(validateMeeting({ ...form, duration: "0" }, meetingRule, monday, monday, false).duration?.key).toBe("meeting.badDuration");
    expect(meetingFields(form).status).toBeUndefined(); // the server decides planned or held
  });
});
