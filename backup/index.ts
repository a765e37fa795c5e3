export { backupMain } from "./cli";
export {
  admin,
  backupNow,
  listSnapshots,
  restore,
  RestoreError,
  type Containers,
  type Step,
} from "./restore";
