/** An in-memory server that speaks the sync protocol of docs/sync.md, for the unit tests. */
import type { MutationResult } from "../src/types";

interface ServerRecord {
  entity: string;
  id: string;
  version: number;
  seq: number;
  deleted: boolean;
  data: Record<string, unknown>;
  fieldVersions: Record<string, number>;
}

export interface Conflict {
  entity: string;
  record_id: string;
  field: string;
  kept_value: unknown;
  other_value: unknown;
}

export class FakeServer {
  records = new Map<string, ServerRecord>();
  applied = new Map<string, MutationResult>();
  conflicts: Conflict[] = [];
  pushes: { mutations: Record<string, unknown>[] }[] = [];
  pulls: string[] = [];
  seq = 0;
  offline = false;
  /** Apply the next push but lose its response. */
  loseNextPushResponse = false;
  /** Reject a mutation with this detail when the predicate says so. */
  rejectIf: ((m: Record<string, unknown>) => string | null) | null = null;
  /** Reject a mutation with this code (and field errors) when the predicate says so. */
  rejectWith: ((m: Record<string, unknown>) => { code: string; detail: string; errors?: Record<string, unknown> } | null) | null = null;
  /** Answer this many mutations "rejected, retry" (lost a race on the server). */
  raceNext = 0;
  accessToken = "access-1";
  refreshToken = "refresh-1";
  tokenCounter = 1;
  refreshCalls = 0;
  loginCalls = 0;
  logoutCalls = 0;
  /** Every request, as "METHOD /path". */
  requests: string[] = [];
  /** The sign-in has ended (revoked, signed out everywhere, or its refresh token was used twice). */
  signedOut = false;
  /** Why it ended, as the server's token_families.revoked_reason says. */
  revokedReason: string | null = null;
  /** The refresh token is past its 30 days: refresh answers 401 token_expired. */
  refreshTokenExpired = false;
  /** While set, refresh requests wait for it (to make refreshes overlap). */
  refreshGate: Promise<void> | null = null;
  resetNextPull = false;
  /** Say on the first page of a first sync how many records it brings (`total`); off: an older server. */
  sendsTotal = false;
  /** Fields the server fills in itself when a record is created (created_at, team_id, …). */
  stampOnCreate: Record<string, unknown> = {};
  minSchemaVersion = 1;
  user: { id: string; role: string; team_id: string; name: string; email?: string } = { id: "user-1", role: "specialist", team_id: "team-1", name: "Kari" };

  private key(entity: string, id: string) {
    return `${entity}/${id}`;
  }

  /** A write made by "another device" directly on the server. */
  serverWrite(entity: string, id: string, data: Record<string, unknown>): ServerRecord {
    const key = this.key(entity, id);
    let rec = this.records.get(key);
    this.seq++;
    if (!rec) {
      rec = { entity, id, version: 0, seq: this.seq, deleted: false, data: { ...this.stampOnCreate }, fieldVersions: {} };
      this.records.set(key, rec);
    }
    rec.version++;
    rec.seq = this.seq;
    for (const [field, value] of Object.entries(data)) {
      rec.data[field] = value;
      rec.fieldVersions[field] = rec.version;
    }
    return rec;
  }

  serverDelete(entity: string, id: string) {
    const rec = this.records.get(this.key(entity, id))!;
    this.seq++;
    rec.version++;
    rec.seq = this.seq;
    rec.deleted = true;
  }

  private json(status: number, body: unknown): Response {
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  }

  private problem(status: number, detail: string, code?: string): Response {
    return new Response(JSON.stringify({ type: "about:blank", title: "x", status, detail, ...(code ? { code } : {}) }), {
      status,
      headers: { "Content-Type": "application/problem+json" },
    });
  }

  private issue() {
    this.tokenCounter++;
    this.accessToken = `access-${this.tokenCounter}`;
    this.refreshToken = `refresh-${this.tokenCounter}`;
    return { access_token: this.accessToken, refresh_token: this.refreshToken, expires_in: 900, user: this.user };
  }

  fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    if (this.offline) throw new TypeError("Failed to fetch");
    const url = new URL(input, "http://server.test");
    const auth = new Headers(init.headers).get("Authorization") ?? "";
    const path = url.pathname;
    this.requests.push(`${init.method ?? "GET"} ${path}`);
    if (path === "/api/v1/auth/login") {
      this.loginCalls++;
      const body = JSON.parse(String(init.body));
      if (body.password !== "demo1234") return this.problem(401, "Wrong e-mail or password.");
      this.signedOut = false;
      this.revokedReason = null;
      return this.json(200, this.issue());
    }
    if (path === "/api/v1/auth/refresh") {
      this.refreshCalls++;
      if (this.refreshGate) await this.refreshGate;
      if (this.signedOut) return this.problem(401, "This sign-in has ended.", "signed_out");
      if (this.refreshTokenExpired) return this.problem(401, "The token has expired.", "token_expired");
      if (auth !== `Bearer ${this.refreshToken}`) {
        // A refresh token used twice: the server takes it for a stolen one and ends the sign-in.
        this.signedOut = true;
        this.revokedReason = "refresh token reused";
        return this.problem(401, "This refresh token was already used.", "signed_out");
      }
      return this.json(200, this.issue());
    }
    if (path === "/api/v1/auth/logout") {
      this.logoutCalls++;
      return new Response(null, { status: 204 });
    }
    if (this.signedOut) return this.problem(401, "This sign-in has ended.", "signed_out");
    if (auth !== `Bearer ${this.accessToken}`) return this.problem(401, "Token expired.", "token_expired");
    if (path === "/api/v1/auth/sign-out-all" && init.method === "POST") {
      this.signedOut = true;
      this.revokedReason = "signed out everywhere";
      return new Response(null, { status: 204 });
    }
    if (path === "/api/v1/sync/push") return this.push(JSON.parse(String(init.body)));
    if (path === "/api/v1/sync/pull") return this.pull(url.searchParams);
    return this.problem(404, "Not found");
  };

  private push(body: { client_id: string; schema_version: number; mutations: Record<string, unknown>[] }): Response {
    if (body.schema_version < this.minSchemaVersion) return this.problem(426, "Oppdater appen.");
    this.pushes.push({ mutations: body.mutations });
    const results: MutationResult[] = [];
    for (const m of body.mutations) {
      const memoKey = `${body.client_id}/${String(m.mutation_id)}`;
      const earlier = this.applied.get(memoKey);
      if (earlier) {
        results.push({ mutation_id: earlier.mutation_id, status: "duplicate", original_status: earlier.status, version: earlier.version });
        continue;
      }
      const result = this.applyMutation(m);
      if (result.status !== "rejected") this.applied.set(memoKey, result);
      results.push(result);
    }
    if (this.loseNextPushResponse) {
      this.loseNextPushResponse = false;
      throw new TypeError("network lost the response");
    }
    return this.json(200, { results });
  }

  private applyMutation(m: Record<string, unknown>): MutationResult {
    const mutation_id = String(m.mutation_id);
    const entity = String(m.entity);
    const id = String(m.id);
    const data = (m.data ?? {}) as Record<string, unknown>;
    if (this.raceNext > 0) {
      this.raceNext--;
      return { mutation_id, status: "rejected", detail: "The record kept changing.", retry: true };
    }
    const reason = this.rejectIf?.(m);
    if (reason) return { mutation_id, status: "rejected", detail: reason, errors: { employer_id: reason } };
    const refusal = this.rejectWith?.(m);
    if (refusal) return { mutation_id, status: "rejected", ...refusal };
    const rec = this.records.get(this.key(entity, id));
    if (m.op === "delete") {
      if (!rec) return { mutation_id, status: "rejected", detail: "Not found." };
      if (!rec.deleted) this.serverDelete(entity, id);
      return { mutation_id, status: "applied", version: rec.version };
    }
    if (!rec) {
      const created = this.serverWrite(entity, id, data);
      return { mutation_id, status: "applied", version: created.version, data: this.asPulled(created) };
    }
    if (rec.deleted) {
      return { mutation_id, status: "rejected", detail: "This record was deleted on another device; your change was not applied." };
    }
    const base = typeof m.base_version === "number" ? m.base_version : 0;
    const conflicts: string[] = [];
    const changes: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(data)) {
      const changedSince = (rec.fieldVersions[field] ?? 0) > base;
      if (changedSince && rec.data[field] !== value) {
        conflicts.push(field);
        this.conflicts.push({ entity, record_id: id, field, kept_value: value, other_value: rec.data[field] });
      }
      changes[field] = value; // client wins
    }
    const written = this.serverWrite(entity, id, changes);
    return conflicts.length
      ? { mutation_id, status: "merged", version: written.version, conflicts, data: this.asPulled(written) }
      : { mutation_id, status: "applied", version: written.version, data: this.asPulled(written) };
  }

  /** A record's data as a pull sends it (and as the server returns it with a push result). */
  private asPulled(r: ServerRecord): Record<string, unknown> {
    return { ...r.data, id: r.id, version: r.version };
  }

  private pull(params: URLSearchParams): Response {
    const cursorText = params.get("cursor");
    this.pulls.push(cursorText ?? "");
    const limit = Number(params.get("limit") ?? 500);
    if (cursorText !== null && !/^\d+$/.test(cursorText)) return this.problem(400, "Bad cursor.");
    const cursor = cursorText === null ? 0 : Number(cursorText);
    const reset = this.resetNextPull;
    this.resetNextPull = false;
    const fromScratch = cursorText === null || reset;
    const high = this.seq;
    const rows = [...this.records.values()]
      .filter((r) => (fromScratch ? !r.deleted : r.seq > cursor) && r.seq <= high)
      .sort((a, b) => a.seq - b.seq || a.id.localeCompare(b.id));
    const page = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    const last = page[page.length - 1];
    const next = hasMore && last ? last.seq : high;
    // Pages end on a whole seq in this fake: the tests write one record per seq.
    return this.json(200, {
      changes: page.map((r) => ({
        entity: r.entity,
        id: r.id,
        op: r.deleted ? "delete" : "upsert",
        version: r.version,
        data: r.deleted ? null : this.asPulled(r),
      })),
      cursor: String(next),
      has_more: hasMore,
      reset,
      ...(this.sendsTotal && fromScratch ? { total: rows.length } : {}),
    });
  }
}
