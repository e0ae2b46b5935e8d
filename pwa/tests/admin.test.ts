import { afterEach, beforeEach, describe, expect, it } from "vitest";
import nb from "../src/i18n/nb.json";
import en from "../src/i18n/en.json";
import { META, FeltloggDB, setMeta } from "../src/db";
import type { AuthDeps } from "../src/auth";
import {
  ApiError,
  MIN_PASSWORD_LENGTH,
  allUsers,
  changeOwnPassword,
  fieldProblems,
  inviteUser,
  linkUrl,
  listUsers,
  lookUpPasswordLink,
  problemText,
  renameTeam,
  setPasswordWithLink,
  transferParticipant,
} from "../src/admin";
import { setLang } from "../src/i18n";

interface Sent {
  method: string;
  url: string;
  body: unknown;
  authorization: string | null;
}

type Answer = (request: Sent) => Response;

function problem(status: number, code: string, detail: string, errors?: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ type: "about:blank", title: "x", status, detail, code, ...(errors ? { errors } : {}) }), {
    status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

let db: FeltloggDB;
let n = 0;
let sent: Sent[];
let answer: Answer;
let offline: boolean;

function deps(): AuthDeps {
  return {
    db,
    locks: null,
    fetch: async (input: string, init?: RequestInit) => {
      if (offline) throw new TypeError("Failed to fetch");
      const request: Sent = {
        method: init?.method ?? "GET",
        url: input,
        body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
        authorization: new Headers(init?.headers).get("Authorization"),
      };
      sent.push(request);
      return answer(request);
    },
  };
}

/** The words of a catalog key with its placeholders filled, as the app shows them. */
function words(catalog: Record<string, string>, key: string, vars: Record<string, string | number> = {}): string {
  return catalog[key]!.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name]));
}

async function refusal(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error("expected a refusal");
}

beforeEach(async () => {
  db = new FeltloggDB(`admin-test-${n++}`);
  await setMeta(db, META.accessToken, "access-1");
  await setMeta(db, META.refreshToken, "refresh-1");
  await setMeta(db, META.accessExpiresAt, Date.now() + 600_000);
  sent = [];
  offline = false;
  answer = () => json({});
  setLang("nb");
});

afterEach(async () => {
  setLang("nb");
  await db.delete();
});

describe("a refused new password, in the user's words", () => {
  it("a short one is refused with the minimum and how long it was, by the field it belongs to", async () => {
    answer = () => problem(422, "weak_password", "Use at least 15 characters: a few words you remember make a good password.", { password: ["Use at least 15 characters."] });
    const error = await refusal(setPasswordWithLink(deps(), "code-1", "kort"));
    expect(error).toBeInstanceOf(ApiError);
    const expected = words(nb, "apiError.passwordTooShort", { length: 4, min: MIN_PASSWORD_LENGTH });
    expect(expected).toContain("minst 15 tegn");
    expect(problemText(error, { topic: "password", password: "kort" })).toBe(expected);
    expect(fieldProblems(error, { topic: "password", password: "kort" })).toEqual({ password: expected });
    // The link's routes need no sign-in: nothing is sent that a stranger should not have.
    expect(sent).toEqual([{ method: "POST", url: "/api/v1/auth/password-link", body: { code: "code-1", password: "kort" }, authorization: null }]);
  });

  it("a long but common one is refused as too common, not as too short", async () => {
    answer = () => problem(422, "weak_password", "This password is too common or too simple; pick another.", { password: ["x"] });
    const password = "passwordpassword1";
    const error = await refusal(setPasswordWithLink(deps(), "code-1", password));
    expect(problemText(error, { topic: "password", password })).toBe(nb["apiError.passwordTooCommon"]);
  });

  it("changing one's own: a wrong current password and a weak new one go to their own fields", async () => {
    answer = () => problem(422, "wrong_password", "The current password is not right.", { current_password: ["Not your current password."] });
    const wrong = await refusal(changeOwnPassword(deps(), "feil", "en lang og god setning"));
    expect(fieldProblems(wrong, { password: "en lang og god setning" })).toEqual({ current_password: nb["apiError.wrongPassword"] });
    expect(sent[0]).toMatchObject({ url: "/api/v1/auth/password", authorization: "Bearer access-1", body: { current_password: "feil", new_password: "en lang og god setning" } });

    answer = () => problem(422, "weak_password", "Use at least 15 characters.", { new_password: ["Use at least 15 characters."] });
    const weak = await refusal(changeOwnPassword(deps(), "demo1234", "kort2"));
    expect(fieldProblems(weak, { password: "kort2" })).toEqual({ new_password: words(nb, "apiError.passwordTooShort", { length: 5, min: 15 }) });
  });

  it("a used or expired link says so and what to do", async () => {
    answer = () => problem(404, "link_invalid", "This link is not valid: it was used already.");
    const error = await refusal(lookUpPasswordLink(deps(), "old"));
    expect(problemText(error, { topic: "link" })).toBe(nb["apiError.linkInvalid"]);
  });

  it("too many attempts says how long to wait", async () => {
    answer = () => problem(429, "too_many_requests", "Too many requests.", undefined, { "Retry-After": "110" });
    const error = await refusal(lookUpPasswordLink(deps(), "x"));
    expect(problemText(error)).toBe(words(nb, "apiError.tooMany", { wait: "2 minutter" }));
  });

  it("the same refusal reads in English when the app is in English", async () => {
    answer = () => problem(422, "weak_password", "Use at least 15 characters.", { password: ["x"] });
    const error = await refusal(setPasswordWithLink(deps(), "code-1", "short"));
    setLang("en");
    expect(problemText(error, { password: "short" })).toBe(words(en, "apiError.passwordTooShort", { length: 5, min: 15 }));
  });
});

describe("a refused admin action, in the user's words", () => {
  it("an e-mail address already taken is said by the e-mail field", async () => {
    answer = () => problem(409, "conflict", "A user with this e-mail already exists.", { email: "Taken." });
    const error = await refusal(inviteUser(deps(), { name: "Kari", email: "js1@demo.no", role: "specialist", team_id: "team-1" }));
    expect(problemText(error, { topic: "user" })).toBe(nb["apiError.emailTaken"]);
    expect(fieldProblems(error, { topic: "user" })).toEqual({ email: nb["apiError.emailTaken"] });
    // An invitation carries no password: the new user chooses their own.
    expect(sent[0]!.body).toEqual({ name: "Kari", email: "js1@demo.no", role: "specialist", team_id: "team-1" });
  });

  it("a team name taken (no field named) is told apart from other conflicts by the topic", async () => {
    answer = () => problem(409, "conflict", "A team with this name already exists.");
    const error = await refusal(renameTeam(deps(), "team-1", "IPS-teamet Bergen"));
    expect(problemText(error, { topic: "team" })).toBe(nb["apiError.teamNameTaken"]);
    expect(problemText(error)).toBe(nb["apiError.conflict"]);
  });

  it("invalid fields become one sentence per field", async () => {
    answer = () => problem(422, "invalid", "Some fields are not valid.", { team_id: "Everyone but an admin belongs to a team." });
    const error = await refusal(inviteUser(deps(), { name: "Kari", email: "kari@x.no", role: "specialist", team_id: null }));
    expect(problemText(error, { topic: "user" })).toBe(`${nb["apiError.invalid"]} ${nb["apiError.field.team"]}`);
  });

  it("a transfer to someone who is not an active specialist of the team names the field", async () => {
    answer = () => problem(422, "invalid", "Some fields are not valid.", { specialist_id: "No active specialist with this id in the team." });
    const error = await refusal(transferParticipant(deps(), "p-1", "s-9"));
    expect(fieldProblems(error, { topic: "transfer" })).toEqual({ specialist_id: nb["apiError.field.specialist"] });
    expect(sent[0]).toMatchObject({ method: "POST", url: "/api/v1/participants/p-1/transfer", body: { specialist_id: "s-9" } });
  });

  it("a code this version does not know is said by its HTTP status, never in the server's English", async () => {
    answer = () => problem(400, "something_new", "Something new went wrong.");
    const error = await refusal(renameTeam(deps(), "team-1", "Nytt"));
    expect(problemText(error)).toBe(words(nb, "apiError.refused", { status: 400 }));
    expect(problemText(error)).not.toContain("Something new");
  });

  it("a proxy's 502 page without a code says the server cannot be reached", async () => {
    answer = () => new Response("<html><h1>502 Bad Gateway</h1></html>", { status: 502, statusText: "Bad Gateway", headers: { "Content-Type": "text/html" } });
    const error = await refusal(renameTeam(deps(), "team-1", "Nytt"));
    expect(problemText(error)).toBe(nb["apiError.unreachable"]);
    answer = () => problem(500, "server_error", "The server had a problem. Try again later.");
    expect(problemText(await refusal(renameTeam(deps(), "team-1", "Nytt")))).toBe(nb["apiError.server"]);
  });

  it("an unknown field's problem names the field in bokmål, without the server's English", async () => {
    answer = () => problem(422, "invalid", "Invalid input.", { job_title: ["Something only the server knows."] });
    const error = await refusal(renameTeam(deps(), "team-1", "Nytt"));
    expect(fieldProblems(error)).toEqual({ job_title: `${nb["field.job_title"]}: ${nb["fieldError.notValid"]}` });
  });

  it("no network, and an ended sign-in, are said as such", async () => {
    offline = true;
    expect(problemText(await refusal(renameTeam(deps(), "team-1", "Nytt")))).toBe(nb["apiError.offline"]);
    offline = false;
    await setMeta(db, META.needsLogin, true);
    expect(problemText(await refusal(renameTeam(deps(), "team-1", "Nytt")))).toBe(nb["apiError.signedOut"]);
  });
});

describe("the users list", () => {
  it("walks every page the server has, with the filters on each request", async () => {
    const people = Array.from({ length: 3 }, (_, i) => ({ id: `u${i}`, name: `U${i}`, email: `u${i}@x.no`, role: "specialist", is_active: true }));
    answer = (request) => {
      const page = Number(new URL(request.url, "http://x").searchParams.get("page"));
      const batch = page === 1 ? people.slice(0, 2) : people.slice(2);
      return json(batch, 200, { "X-Pagination": JSON.stringify({ total: 3, total_pages: 2, page }) });
    };
    const users = await allUsers(deps(), { role: "specialist", team_id: "team-1", include_inactive: true });
    expect(users.map((u) => u.id)).toEqual(["u0", "u1", "u2"]);
    expect(sent.map((s) => s.url)).toEqual([
      "/api/v1/users?role=specialist&team_id=team-1&include_inactive=true&page=1&page_size=500",
      "/api/v1/users?role=specialist&team_id=team-1&include_inactive=true&page=2&page_size=500",
    ]);
  });

  it("one page says where it is in the whole", async () => {
    answer = () => json([{ id: "u1" }], 200, { "X-Pagination": JSON.stringify({ total: 41, total_pages: 3, page: 2 }) });
    const { pagination } = await listUsers(deps(), {}, 2, 20);
    expect(pagination).toEqual({ total: 41, totalPages: 3, page: 2 });
    expect(sent[0]!.url).toBe("/api/v1/users?page=2&page_size=20");
  });
});

describe("a one-time link", () => {
  it("is handed over as the full address of the app's route", () => {
    expect(linkUrl({ path: "/#/password/abc_-1" }, "https://feltlogg.example.no/")).toBe("https://feltlogg.example.no/#/password/abc_-1");
  });
});
