export { backupMain } from "./cli";
export { backupNow, restore, RestoreError, type Containers, type Step } from "./restore";
