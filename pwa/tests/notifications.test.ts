import { describe, expect, it } from "vitest";
import { routeFor } from "../src/notificationRoute";
import { base64UrlToBytes } from "../src/notifications";

describe("notifications", () => {
  it("decodes the server's base64url VAPID key to the 65-byte point", () => {
    // 0x04 then 64 bytes: an uncompressed P-256 point, as the server's key endpoint gives it.
    const bytes = new Uint8Array(65).map((_, i) => (i === 0 ? 4 : i));
    const text = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    expect(text).not.toMatch(/[+/=]/);
    expect(Array.from(base64UrlToBytes(text))).toEqual(Array.from(bytes));
  });

  it("opens the screen a notification is about, from its kind and id alone", () => {
    expect(routeFor("not_met_nudge", "0190a1b2-0000-7000-8000-000000000001")).toBe("#/participants/0190a1b2-0000-7000-8000-000000000001");
    expect(routeFor("weekly_contacts", null)).toBe("#/week");
    expect(routeFor("report_ready", null)).toBe("#/team");
    expect(routeFor("meeting_reminder", "x")).toBe("#/today");
    expect(routeFor("something new", null)).toBe("#/");
  });
});
