/** Where a tapped notification leads (used by the service worker: no app imports here). */
/** The payload holds only a kind and an id. */
export function routeFor(kind: string, id: string | null): string {
  switch (kind) {
    case "meeting_reminder":
      return "#/today";
    case "not_met_nudge":
      return id ? `#/participants/${id}` : "#/participants";
    case "weekly_contacts":
      return "#/week";
    case "report_ready":
      return "#/team";
    case "step_due":
      return "#/";
    default:
      return "#/";
  }
}
