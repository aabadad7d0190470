/** Contract 4: MongoDB job records and admission slots. */
export type {
  JobStore,
  Slots,
  JobRecord,
  NewJobRecord,
  PhaseUpdate,
  PhaseEntry,
  SlotHolder,
  StoredTaskRef,
  JobQuery,
} from "./types.js";
