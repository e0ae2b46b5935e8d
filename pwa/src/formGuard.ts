/**
 * Forms that respect work: while a form holds input that is not saved, leaving it asks first
 * ("Forkaste endringene?"), whether by a link, the back button, a changed address or closing
 * the tab; and a saved form returns to the screen the user came from.
 */
import { useEffect, useRef } from "preact/hooks";
import { navigate } from "./hooks";
import { t } from "./i18n";

// ---------------------------------------------------------------------------------------------
// Where the user came from.

/** Routes that are forms (or steps of one): saving returns past them, to the last other screen. */
const FORM_ROUTES = [
  /^#\/log-contact(\/|\?|$)/,
  /^#\/log-meeting(\/|\?|$)/,
  /^#\/(jobs|employers|participants)\/new(\/|\?|$)/,
  /^#\/[a-z-]+\/[^/?]+\/(edit|profile)(\/|\?|$)/,
  /^#\/login(\/|\?|$)/,
];

export function isFormRoute(hash: string): boolean {
  return FORM_ROUTES.some((pattern) => pattern.test(hash));
}

/** The route as the app writes it: "" and "#" are the home screen. */
function normal(hash: string): string {
  return hash === "" || hash === "#" || hash === "#/" ? "#/" : hash;
}

/** Remembers the last screen that is not a form. */
export class Places {
  private last: string | null = null;

  visit(hash: string): void {
    const route = normal(hash);
    if (!isFormRoute(route)) this.last = route;
  }

  /** Where a form goes once saved: the last screen before it, else `fallback`. */
  back(fallback: string): string {
    return this.last ?? fallback;
  }
}

export const places = new Places();

// ---------------------------------------------------------------------------------------------
// Asking before unsaved input is dropped.

export interface GuardEnv {
  /** Ask the user; true: leave. */
  confirm: (message: string) => boolean;
  message: () => string;
  /** The address now (its hash). */
  currentHash: () => string;
  /** Put an address back without a new history entry and without a hashchange. */
  restore: (url: string) => void;
}

interface ClickLike {
  defaultPrevented: boolean;
  button: number;
  metaKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  target: unknown;
  preventDefault(): void;
}

interface HashChangeLike {
  oldURL: string;
  newURL: string;
  stopImmediatePropagation(): void;
}

interface BeforeUnloadLike {
  preventDefault(): void;
  returnValue: unknown;
}

interface LinkLike {
  getAttribute(name: string): string | null;
}

function hashOf(url: string): string {
  const at = url.indexOf("#");
  return normal(at < 0 ? "" : url.slice(at));
}

function linkOf(target: unknown): LinkLike | null {
  const element = target as { closest?: (selector: string) => LinkLike | null } | null;
  return element && typeof element.closest === "function" ? element.closest("a[href]") : null;
}

/**
 * The guard's decisions, apart from the DOM so that they can be tested: `isDirty` says whether
 * any open form holds unsaved input.
 */
export function createGuard(isDirty: () => boolean, env: GuardEnv) {
  // The route the user agreed to leave for by a link: its hashchange is not asked about again.
  let agreed: string | null = null;

  return {
    /** A click anywhere, before the link acts: an in-app link away from a changed form asks. */
    onClick(event: ClickLike): void {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const link = linkOf(event.target);
      const href = link?.getAttribute("href");
      if (!link || !href || !href.startsWith("#/") || link.getAttribute("target") === "_blank") return;
      const target = normal(href);
      if (target === normal(env.currentHash()) || !isDirty()) return;
      if (env.confirm(env.message())) {
        agreed = target;
        return;
      }
      event.preventDefault();
    },

    /** The address changed some other way (back button, typed, script): ask, else put it back. */
    onHashChange(event: HashChangeLike): void {
      const target = hashOf(event.newURL);
      const wasAgreed = agreed === target;
      agreed = null;
      if (wasAgreed || !isDirty()) return;
      if (env.confirm(env.message())) return;
      // The screens must not see this change: the form stays, with what was typed.
      event.stopImmediatePropagation();
      env.restore(event.oldURL);
    },

    /** Closing or reloading the tab: the browser asks in its own words. */
    onBeforeUnload(event: BeforeUnloadLike): void {
      if (!isDirty()) return;
      event.preventDefault();
      event.returnValue = "unsaved";
    },
  };
}

/** The open forms' checks (normally one). */
const openForms = new Set<() => boolean>();

export function hasUnsavedChanges(): boolean {
  for (const dirty of openForms) if (dirty()) return true;
  return false;
}

/**
 * Listen from the start. The order matters: the router re-renders the screen from its own
 * hashchange listener (and the render runs before the next listener is called), so the guard
 * has to be the first to hear a change in order to keep a refused one from reaching any other.
 * The app's screens import this module before they first render.
 */
function listen(win: Window): void {
  const guard = createGuard(hasUnsavedChanges, {
    confirm: (message) => win.confirm(message),
    message: () => t("guard.discard"),
    currentHash: () => win.location.hash,
    restore: (url) => win.history.replaceState(win.history.state, "", url),
  });
  win.document.addEventListener("click", (event) => guard.onClick(event), true);
  win.addEventListener("hashchange", (event) => guard.onHashChange(event), true);
  win.addEventListener("beforeunload", (event) => guard.onBeforeUnload(event));
  places.visit(win.location.hash);
  win.addEventListener("hashchange", () => places.visit(win.location.hash));
}

if (typeof window !== "undefined" && typeof window.addEventListener === "function") listen(window);

export interface FormGuard {
  /** Leave the form on purpose (it was saved, or deleted): no question, then go to `hash`. */
  leave(hash: string): void;
}

/** Guard a form while `dirty` (its input differs from what it started with). */
export function useUnsavedChanges(dirty: boolean): FormGuard {
  const state = useRef({ dirty, left: false });
  state.current.dirty = dirty;
  useEffect(() => {
    const check = () => !state.current.left && state.current.dirty;
    openForms.add(check);
    return () => {
      openForms.delete(check);
    };
  }, []);
  return {
    leave(hash: string) {
      state.current.left = true;
      navigate(hash);
    },
  };
}
