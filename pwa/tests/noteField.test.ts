import "fake-indexeddb/auto";
import { type VNode, h } from "preact";
import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../src/app", async () => {
  const { FeltloggDB } = await import("../src/db");
  return {
    db: new FeltloggDB("note-field-test"),
    syncLoop: { nudge: () => undefined },
    authDeps: {},
    showSnack: () => undefined,
    onSnack: () => () => undefined,
  };
});

import openapi from "../openapi.json";
import { setLang } from "../src/i18n";
import { LONG_TEXT_MAX, NOTE_MAX, PERSON_NAME_MAX, TITLE_MAX } from "../src/limits";
import { COUNTER_FROM, NoteField, type NoteFieldProps, nearLimit } from "../src/views/NoteField";

/** An element of the rendered tree: its tag, attributes and text. */
interface Element {
  tag: string;
  props: Record<string, unknown>;
  text: string;
}

/** Render a tree of hook-free components into a flat list of elements, in document order. */
function render(node: unknown, out: Element[] = []): Element[] {
  if (node === null || node === undefined || typeof node === "boolean") return out;
  if (Array.isArray(node)) {
    for (const child of node) render(child, out);
    return out;
  }
  if (typeof node !== "object") return out;
  const vnode = node as VNode<Record<string, unknown>>;
  if (typeof vnode.type === "function") return render((vnode.type as (p: unknown) => unknown)(vnode.props), out);
  const element: Element = { tag: String(vnode.type), props: vnode.props, text: textOf(vnode.props.children) };
  out.push(element);
  render(vnode.props.children, out);
  return out;
}

function textOf(node: unknown): string {
  if (node === null || node === undefined || typeof node === "boolean") return "";
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(textOf).join("");
  const vnode = node as VNode<Record<string, unknown>>;
  if (typeof vnode.type === "function") return textOf((vnode.type as (p: unknown) => unknown)(vnode.props));
  return textOf(vnode.props.children);
}

function field(props: Partial<NoteFieldProps> = {}): { textarea: Element; byId: Map<string, Element>; all: Element[] } {
  const all = render(h(NoteField, { id: "meeting-notes", label: "Notater", value: "", onInput: () => undefined, maxLength: NOTE_MAX, ...props }));
  const [textarea] = all.filter((e) => e.tag === "textarea");
  const byId = new Map(all.filter((e) => typeof e.props.id === "string").map((e) => [e.props.id as string, e]));
  return { textarea: textarea!, byId, all };
}

/** The text a screen reader reads as the field's description. */
function description(rendered: ReturnType<typeof field>): string[] {
  const ids = String(rendered.textarea.props["aria-describedby"] ?? "").split(" ").filter(Boolean);
  return ids.map((id) => {
    const element = rendered.byId.get(id);
    expect(element, `aria-describedby names ${id}, which is not in the field`).toBeDefined();
    return element!.text;
  });
}

afterEach(() => setLang("nb"));

describe("the note field", () => {
  it("is a labelled textarea that stops at the server's limit", () => {
    const rendered = field({ value: "Møtte Ola på kafeen." });
    expect(rendered.textarea.props.id).toBe("meeting-notes");
    expect(rendered.textarea.props.maxLength).toBe(NOTE_MAX);
    expect(rendered.textarea.props.value).toBe("Møtte Ola på kafeen.");
    const [label] = rendered.all.filter((e) => e.tag === "label");
    expect(label!.props.for).toBe("meeting-notes");
    expect(label!.text).toBe("Notater");
  });

  it("warns in its description that health information does not belong there, in bokmål and English", () => {
    expect(description(field())).toEqual(["Ikke skriv helseopplysninger (diagnose, symptomer, medisiner) her."]);
    setLang("en");
    expect(description(field())).toEqual(["Do not write health information (diagnoses, symptoms, medication) here."]);
  });

  it("keeps its own hint and a problem in the description, with the warning", () => {
    const rendered = field({ hint: "Ett steg per linje.", problem: { key: "form.tooLong", vars: { max: NOTE_MAX } } });
    expect(description(rendered)).toEqual([
      "Ett steg per linje.",
      "Ikke skriv helseopplysninger (diagnose, symptomer, medisiner) her.",
      "Teksten er for lang: høyst 2000 tegn.",
    ]);
    expect(rendered.textarea.props["aria-invalid"]).toBe("true");
  });

  it("shows no counter far from the limit", () => {
    const rendered = field({ value: "x".repeat(1000) });
    expect(rendered.byId.get("meeting-notes-count")!.text).toBe("");
    expect(String(rendered.textarea.props["aria-describedby"])).not.toContain("meeting-notes-count");
  });

  it("counts characters near the limit, as the server counts them, and reads the count with the field", () => {
    const near = Math.ceil(NOTE_MAX * COUNTER_FROM);
    const rendered = field({ value: "ø".repeat(near) });
    const counter = rendered.byId.get("meeting-notes-count")!;
    expect(counter.text).toBe(`${near} av 2000 tegn`);
    expect(counter.props["aria-live"]).toBe("polite");
    expect(description(rendered)).toContain(`${near} av 2000 tegn`);
    // An emoji is one character to the server (two UTF-16 units in the browser).
    expect(field({ value: "😀".repeat(near) }).byId.get("meeting-notes-count")!.text).toBe(`${near} av 2000 tegn`);
    setLang("en");
    expect(field({ value: "x".repeat(NOTE_MAX) }).byId.get("meeting-notes-count")!.text).toBe("2000 of 2000 characters");
  });

  it("decides 'near' from the limit", () => {
    expect(nearLimit(1599, 2000)).toBe(false);
    expect(nearLimit(1600, 2000)).toBe(true);
    expect(nearLimit(3200, 4000)).toBe(true);
    expect(nearLimit(0, 500)).toBe(false);
  });

  it("passes what is typed on", () => {
    const typed: string[] = [];
    const { textarea } = field({ onInput: (value) => typed.push(value) });
    (textarea.props.onInput as (e: unknown) => void)({ currentTarget: { value: "Ny tekst" } });
    expect(typed).toEqual(["Ny tekst"]);
  });
});

describe("the limits", () => {
  type Props = Record<string, { maxLength?: number }>;
  const schemas = openapi.components.schemas as unknown as Record<string, { properties: Props }>;
  const max = (schema: string, name: string) => schemas[schema]!.properties[name]!.maxLength;

  it("are the server's, as openapi.json documents them", () => {
    expect(max("Meeting", "notes")).toBe(NOTE_MAX);
    expect(max("Meeting", "agreed_next_steps")).toBe(NOTE_MAX);
    expect(max("EmployerContact", "notes")).toBe(NOTE_MAX);
    expect(max("TeamMeeting", "notes")).toBe(NOTE_MAX);
    expect(max("CareerProfile", "strengths")).toBe(LONG_TEXT_MAX);
    expect(max("CareerProfile", "disclosure_preference")).toBe(NOTE_MAX);
    expect(max("Employer", "notes")).toBe(LONG_TEXT_MAX);
    expect(max("EmployerContact", "purpose")).toBe(TITLE_MAX);
    expect(max("Participant", "first_name")).toBe(PERSON_NAME_MAX);
  });
});
