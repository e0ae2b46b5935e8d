import { describe, expect, it } from "vitest";
import { currentConsents, employersRecentFirst, today, weekStats, withEmployerConsent } from "../src/queries";
import { addWeeks, isoWeekOfDate, isoWithOffset, mondayOf, osloWeek, weeksEnding } from "../src/time";
import { validOrgNumber } from "../src/views/Employers";

const me = "spec-1";

describe("weeks in Europe/Oslo", () => {
  it("puts a contact at 23:30 on a Sunday in Oslo in that ISO week, not the next", () => {
    // Sunday 22 November 2026, 23:30 in Oslo is 22:30 UTC
    expect(osloWeek("2026-11-22T22:30:00Z")).toBe("2026-W47");
    expect(osloWeek("2026-11-22T23:30:00Z")).toBe("2026-W48"); // 00:30 Monday in Oslo
    expect(osloWeek("2026-11-23T00:30:00+01:00")).toBe("2026-W48");
  });

  it("handles the ISO year boundary and week arithmetic", () => {
    expect(isoWeekOfDate("2027-01-01")).toEqual({ year: 2026, week: 53 });
    expect(isoWeekOfDate("2024-12-30")).toEqual({ year: 2025, week: 1 });
    expect(mondayOf("2026-W47")).toBe("2026-11-16");
    expect(addWeeks("2026-W01", -1)).toBe("2025-W52");
    expect(weeksEnding("2026-W47", 12)).toHaveLength(12);
    expect(weeksEnding("2026-W47", 12)[0]).toBe("2026-W36");
  });

  it("writes local times with their offset", () => {
    expect(isoWithOffset(new Date())).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
  });
});

describe("my week", () => {
  it("counts face-to-face contacts and the community share of meeting time for one specialist", () => {
    const contacts = [
      { id: "1", employer_id: "e", specialist_id: me, contacted_at: "2026-11-16T09:00:00+01:00", mode: "in_person" as const },
      { id: "2", employer_id: "e", specialist_id: me, contacted_at: "2026-11-17T09:00:00+01:00", mode: "phone" as const },
      { id: "3", employer_id: "e", specialist_id: "other", contacted_at: "2026-11-17T09:00:00+01:00", mode: "in_person" as const },
      { id: "4", employer_id: "e", specialist_id: me, contacted_at: "2026-11-22T23:30:00+01:00", mode: "in_person" as const },
      { id: "5", employer_id: "e", specialist_id: me, contacted_at: "2026-11-23T08:00:00+01:00", mode: "in_person" as const },
    ];
    const meetings = [
      { id: "m1", participant_id: "p", specialist_id: me, starts_at: "2026-11-18T10:00:00+01:00", duration_minutes: 90, setting: "community" as const, kind: "job_search" as const },
      { id: "m2", participant_id: "p", specialist_id: me, starts_at: "2026-11-19T10:00:00+01:00", duration_minutes: 30, setting: "office" as const, kind: "job_search" as const },
      { id: "m3", participant_id: "p", specialist_id: me, starts_at: "2026-11-20T10:00:00+01:00", duration_minutes: 60, setting: "office" as const, kind: "job_search" as const, status: "cancelled" as const },
    ];
    const stats = weekStats("2026-W47", me, contacts, meetings);
    expect(stats.faceToFace).toBe(2);
    expect(stats.contacts).toBe(3);
    expect(stats.meetings).toBe(2);
    expect(stats.communityShare).toBeCloseTo(0.75);
    expect(weekStats("2026-W46", me, contacts, meetings).communityShare).toBeNull();
  });
});

describe("consent to contact employers", () => {
  it("follows the latest consent, so a withdrawal takes effect at once", () => {
    const consents = [
      { id: "a", participant_id: "p1", counterpart: "employers" as const, granted: true, recorded_at: "2026-01-01T00:00:00Z" },
      { id: "b", participant_id: "p1", counterpart: "employers" as const, granted: false, recorded_at: "2026-02-01T00:00:00Z" },
      { id: "c", participant_id: "p2", counterpart: "employers" as const, granted: true, recorded_at: "2026-01-01T00:00:00Z" },
      { id: "d", participant_id: "p3", counterpart: "nav" as const, granted: true, recorded_at: "2026-01-01T00:00:00Z" },
    ];
    expect([...withEmployerConsent(consents)]).toEqual(["p2"]);
  });

  it("orders consents by the moment they were recorded, whatever the offset they carry", () => {
    // 10:30 in Oslo (+01:00) is 09:30 UTC: the withdrawal at 10:00 UTC came after the grant,
    // though as text "2026-11-20T10:30…" sorts after "2026-11-20T10:00…".
    const consents = [
      { id: "a", participant_id: "p1", counterpart: "employers" as const, granted: true, recorded_at: "2026-11-20T10:30:00+01:00" },
      { id: "b", participant_id: "p1", counterpart: "employers" as const, granted: false, recorded_at: "2026-11-20T10:00:00Z" },
    ];
    expect([...withEmployerConsent(consents)]).toEqual([]);
    expect([...withEmployerConsent([...consents].reverse())]).toEqual([]);
    expect(currentConsents(consents).get("employers")?.id).toBe("b");
  });
});

describe("employer picker", () => {
  it("puts the employers I contacted most recently first, then the rest by name", () => {
    const employers = [
      { id: "a", name: "Ås Bakeri" },
      { id: "b", name: "Bergen Bygg" },
      { id: "c", name: "Coop Fana" },
    ];
    const contacts = [
      { id: "1", employer_id: "c", specialist_id: me, contacted_at: "2026-11-01T10:00:00+01:00" },
      { id: "2", employer_id: "a", specialist_id: me, contacted_at: "2026-11-10T10:00:00+01:00" },
      { id: "3", employer_id: "b", specialist_id: "someone else", contacted_at: "2026-11-20T10:00:00+01:00" },
    ];
    expect(employersRecentFirst(employers, contacts, me).map((e) => e.id)).toEqual(["a", "c", "b"]);
  });
});

describe("today", () => {
  it("lists participants not met for 14 days, and ignores cancelled meetings", () => {
    const now = new Date("2026-11-20T12:00:00Z");
    const mine = [
      { id: "p1", first_name: "A", last_name: "A", enrolled_on: "2026-01-01", specialist_id: me },
      { id: "p2", first_name: "B", last_name: "B", enrolled_on: "2026-01-01", specialist_id: me },
    ];
    const meetings = [
      { id: "m1", participant_id: "p1", starts_at: "2026-11-15T10:00:00+01:00", duration_minutes: 60, setting: "community" as const, kind: "job_search" as const, status: "held" as const },
      { id: "m2", participant_id: "p2", starts_at: "2026-11-16T10:00:00+01:00", duration_minutes: 60, setting: "community" as const, kind: "job_search" as const, status: "cancelled" as const },
      { id: "m3", participant_id: "p2", starts_at: "2026-11-25T10:00:00+01:00", duration_minutes: 60, setting: "community" as const, kind: "job_search" as const, status: "planned" as const },
    ];
    const lists = today(mine, meetings, [], now);
    expect(lists.notMet.map((r) => r.participant.id)).toEqual(["p2"]);
    expect(lists.upcoming.map((m) => m.id)).toEqual(["m3"]);
  });
});

describe("organisation numbers", () => {
  it("checks the modulus-11 digit", () => {
    expect(validOrgNumber("955344332")).toBe(true);
    expect(validOrgNumber("923891196")).toBe(true);
    expect(validOrgNumber("923891197")).toBe(false);
    expect(validOrgNumber("12345678")).toBe(false);
  });
});
