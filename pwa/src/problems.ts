/**
 * What went wrong, in the user's language. Every refusal from the server is worded from its stable
 * `code`, or from the HTTP status where the answer has none (a proxy's 502 page); the server's
 * English `detail` is never shown in bokmål.
 */
import { lang, t, tCount } from "./i18n";
import type { SyncFailure } from "./sync";

/** Statuses a proxy answers with when the server behind it is down or slow. */
const UNREACHABLE = new Set([502, 503, 504]);

/** The code an answer stands for when it carries none (as the server would give it, api/errors.py). */
export function codeForStatus(status: number): string {
  if (UNREACHABLE.has(status)) return "unavailable";
  const codes: Record<number, string> = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    422: "invalid",
    426: "update_required",
    429: "too_many_requests",
  };
  return codes[status] ?? (status >= 500 ? "server_error" : "bad_request");
}

/** A wait the server asked for, in whole seconds or minutes: "30 sekunder", "2 minutter". */
export function waitText(seconds: number | undefined): string {
  const wait = Math.max(1, Math.ceil(seconds ?? 60));
  return wait < 60 ? tCount("wait.seconds", wait) : tCount("wait.minutes", Math.ceil(wait / 60));
}

/**
 * The server's message for a field (marshmallow's wording) in the user's language where it is
 * known. One that is not: in English as it came, in bokmål a plain "Ugyldig verdi.".
 */
export function fieldMessageText(message: string): string {
  const exact: Record<string, Parameters<typeof t>[0]> = {
    "Missing data for required field.": "fieldError.required",
    "Field may not be null.": "fieldError.null",
    "Unknown field.": "fieldError.unknown",
  };
  const key = exact[message];
  if (key) return t(key);
  let match = /^Longer than maximum length (\d+)\.$/.exec(message);
  if (match) return t("fieldError.maxLength", { max: match[1]! });
  match = /^Length must be between (\d+) and (\d+)\.$/.exec(message);
  if (match) return t("fieldError.lengthBetween", { min: match[1]!, max: match[2]! });
  if (/^Must be one of: /.test(message)) return t("fieldError.oneOf");
  if (/^Not a valid [\w ]+\.$/.test(message)) return t("fieldError.notValid");
  return lang() === "en" ? message : t("fieldError.notValid");
}

/** Why a sync failed (other than offline or signed out), for the status bar. */
export function syncProblemText(failure: Pick<SyncFailure, "httpStatus" | "code" | "retryAfterSeconds">): string {
  const status = failure.httpStatus;
  if (status === undefined) return t("status.error");
  const code = failure.code ?? codeForStatus(status);
  const detail = (() => {
    if (UNREACHABLE.has(status) || code === "unavailable") return t("syncError.unreachable");
    switch (code) {
      case "too_many_requests":
        return t("syncError.tooMany", { wait: waitText(failure.retryAfterSeconds) });
      case "update_required":
        return t("syncError.updateRequired");
      case "forbidden":
      case "role_forbidden":
      case "not_permitted":
        return t("syncError.forbidden");
      case "concurrent_write":
      case "conflict":
        return t("syncError.busy");
      case "server_error":
        return t("syncError.server");
      default:
        return status >= 500 ? t("syncError.server") : t("syncError.status", { status });
    }
  })();
  return t("status.errorDetail", { detail });
}
