import { describe, expect, it } from "vitest";
import { Places, createGuard, isFormRoute } from "../src/formGuard";

function setup(hash = "#/log-contact/e1") {
  const state = { dirty: false, answer: false, asked: [] as string[], restored: [] as string[], hash };
  const guard = createGuard(() => state.dirty, {
    confirm: (message) => {
      state.asked.push(message);
      return state.answer;
    },
    message: () => "Forkaste endringene?",
    currentHash: () => state.hash,
    restore: (url) => state.restored.push(url),
  });
  return { state, guard };
}

function link(href: string, target?: string) {
  const element = {
    getAttribute: (name: string) => (name === "href" ? href : name === "target" ? (target ?? null) : null),
    closest: () => element,
  };
  return element;
}

function click(href: string, extra: Partial<{ ctrlKey: boolean; button: number; target: string }> = {}) {
  return {
    defaultPrevented: false,
    button: extra.button ?? 0,
    metaKey: false,
    ctrlKey: extra.ctrlKey ?? false,
    shiftKey: false,
    altKey: false,
    target: link(href, extra.target),
    prevented: false,
    preventDefault() {
      this.prevented = true;
      this.defaultPrevented = true;
    },
  };
}

function hashChange(from: string, to: string) {
  return {
    oldURL: `http://app.test/${from}`,
    newURL: `http://app.test/${to}`,
    stopped: false,
    stopImmediatePropagation() {
      this.stopped = true;
    },
  };
}

describe("leaving a form with unsaved input", () => {
  it("lets the user go without a question while nothing was typed", () => {
    const { state, guard } = setup();
    const event = click("#/today");
    guard.onClick(event);
    const change = hashChange("#/log-contact/e1", "#/today");
    guard.onHashChange(change);
    expect(state.asked).toEqual([]);
    expect(event.prevented).toBe(false);
    expect(change.stopped).toBe(false);
  });

  it("asks before an in-app link leaves; cancel stays on the form", () => {
    const { state, guard } = setup();
    state.dirty = true;
    const event = click("#/today");
    guard.onClick(event);
    expect(state.asked).toEqual(["Forkaste endringene?"]);
    expect(event.prevented).toBe(true);
  });

  it("leaves when the user agrees, without asking again when the address changes", () => {
    const { state, guard } = setup();
    state.dirty = true;
    state.answer = true;
    const event = click("#/today");
    guard.onClick(event);
    expect(event.prevented).toBe(false);
    const change = hashChange("#/log-contact/e1", "#/today");
    guard.onHashChange(change);
    expect(state.asked).toHaveLength(1);
    expect(change.stopped).toBe(false);
    expect(state.restored).toEqual([]);
  });

  it("asks when the address changes otherwise (the back button); cancel keeps the form and its address", () => {
    const { state, guard } = setup();
    state.dirty = true;
    const change = hashChange("#/log-contact/e1", "#/log-contact");
    guard.onHashChange(change);
    expect(state.asked).toHaveLength(1);
    expect(change.stopped).toBe(true);
    expect(state.restored).toEqual(["http://app.test/#/log-contact/e1"]);
    state.answer = true;
    const again = hashChange("#/log-contact/e1", "#/log-contact");
    guard.onHashChange(again);
    expect(again.stopped).toBe(false);
    expect(state.restored).toHaveLength(1);
  });

  it("asks again after a refused link if the address changes another way", () => {
    const { state, guard } = setup();
    state.dirty = true;
    guard.onClick(click("#/today"));
    const change = hashChange("#/log-contact/e1", "#/week");
    guard.onHashChange(change);
    expect(state.asked).toHaveLength(2);
    expect(change.stopped).toBe(true);
  });

  it("leaves links that do not leave the form alone: the same screen, other windows, the skip link", () => {
    const { state, guard } = setup();
    state.dirty = true;
    for (const event of [click("#/log-contact/e1"), click("#main"), click("#/today", { ctrlKey: true }), click("#/today", { target: "_blank" }), click("#/today", { button: 1 }), click("https://example.org/")]) {
      guard.onClick(event);
      expect(event.prevented).toBe(false);
    }
    expect(state.asked).toEqual([]);
  });

  it("has the browser ask before the tab is closed or reloaded, only with unsaved input", () => {
    const { state, guard } = setup();
    const clean = { prevented: false, returnValue: undefined as unknown, preventDefault() { this.prevented = true; } };
    guard.onBeforeUnload(clean);
    expect(clean.prevented).toBe(false);
    expect(clean.returnValue).toBeUndefined();
    state.dirty = true;
    const dirty = { prevented: false, returnValue: undefined as unknown, preventDefault() { this.prevented = true; } };
    guard.onBeforeUnload(dirty);
    expect(dirty.prevented).toBe(true);
    expect(dirty.returnValue).toBeTruthy();
  });
});

describe("after saving, back to where the user came from", () => {
  it("knows the form routes, the steps of a form included", () => {
    for (const hash of ["#/log-contact", "#/log-contact/e1", "#/log-meeting?participant=p1", "#/contacts/c1/edit", "#/meetings/m1/edit", "#/jobs/j1/edit", "#/jobs/new", "#/participants/new", "#/employers/new?return=contact", "#/employers/e1/edit", "#/participants/p1/profile"]) {
      expect(isFormRoute(hash), hash).toBe(true);
    }
    for (const hash of ["#/", "#/today", "#/week", "#/jobs", "#/employers", "#/employers/e1", "#/participants/p1", "#/log-contacts-report"]) {
      expect(isFormRoute(hash), hash).toBe(false);
    }
  });

  it("returns past the employer picker to the screen before it", () => {
    const places = new Places();
    expect(places.back("#/today")).toBe("#/today");
    for (const hash of ["", "#/employers", "#/employers/e1", "#/log-contact", "#/log-contact/e1"]) places.visit(hash);
    expect(places.back("#/today")).toBe("#/employers/e1");
    places.visit("#/week");
    places.visit("#/contacts/c1/edit");
    expect(places.back("#/employers")).toBe("#/week");
    places.visit("#");
    expect(places.back("#/employers")).toBe("#/");
  });
});
