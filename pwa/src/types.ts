/** Names for the wire format, taken from the types generated from openapi.json (npm run types). */
import type { components } from "./api";
import { ENTITIES, type EntityName, type EntityRecord } from "./entities.gen";

type Schemas = components["schemas"];

export type Participant = Schemas["Participant"];
export type Employer = Schemas["Employer"];
export type EmployerContact = Schemas["EmployerContact"];
export type Meeting = Schemas["Meeting"];
export type TeamMeeting = Schemas["TeamMeeting"];
export type JobMatch = Schemas["JobMatch"];
export type PlanGoal = Schemas["PlanGoal"];
export type PlanStep = Schemas["PlanStep"];
export type Consent = Schemas["Consent"];
export type CareerProfile = Schemas["CareerProfile"];
export type WeekReview = Schemas["WeekReview"];
export type Conflict = Schemas["Conflict"];
export type SignedInUser = Schemas["SignedInUser"];
export type TokenPair = Schemas["TokenPair"];
export type Mutation = Schemas["Mutation"];
export type PushRequest = Schemas["Push"];
export type PushResult = Schemas["PushResult"];
export type MutationResult = Schemas["MutationResult"];
export type PullResult = Schemas["PullResult"];
export type Change = Schemas["Change"];
export type Problem = Schemas["Problem"];

/** Every record the app stores has an id and (once the server has it) a version. */
export interface Stored {
  id: string;
  version?: number;
  [field: string]: unknown;
}

/** The synced entities in sync order, and their records: generated from the API's declarations. */
export { ENTITIES, type EntityName, type EntityRecord } from "./entities.gen";

export type RecordOf<E extends EntityName> = EntityRecord[E] & { id: string };

/** GET /api/v1/reports/weekly */
export type WeeklyReport = Schemas["WeeklyReport"];
export type WeeklyReportWeek = Schemas["SpecialistWeek"];
export type TeamWeek = Schemas["TeamWeek"];
/** GET /api/v1/reports/fidelity */
export type FidelityReport = Schemas["FidelityReport"];
export type FidelityItem = Schemas["FidelityItem"];
/** GET /api/v1/reports/outcomes */
export type OutcomesReport = Schemas["OutcomesReport"];
export type OutcomeNumbers = Schemas["OutcomeNumbers"];

/** POST /api/v1/push/test: what the push service answered, per device. */
export type PushDelivery = Schemas["PushDelivery"];
export type PushPreferences = Schemas["PushPreferences"];

/** The reports the app keeps for reading offline, by key. */
export interface Reports {
  weekly: WeeklyReport;
  fidelity: FidelityReport;
  outcomes: OutcomesReport;
}

export function isEntity(name: string): name is EntityName {
  return (ENTITIES as readonly string[]).includes(name);
}
