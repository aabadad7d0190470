/** The job-record store: MongoDB job records and admission slots. */
export type {
  JobStore,
  Slots,
  JobRecord,
  NewJobRecord,
  PhaseUpdate,
  PhaseEntry,
  SlotHolder,
  ClaimHint,
  StoredTaskRef,
  JobQuery,
} from "./types.js";
export { MongoJobStore } from "./mongo-job-store.js";
export { MongoSlots } from "./mongo-slots.js";
export { FencedError } from "./fenced-error.js";
export { MongoConnection, isMongoUnreachable, type MongoConnectionOptions } from "./mongo-connection.js";
