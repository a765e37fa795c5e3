/**
 * `npm run maintenance -- --stack <name> on|off|status` (backup/maintenance.ts).
 */
import { maintenanceMain } from "../backup/maintenance-cli";

void maintenanceMain(process.argv.slice(2)).then((code) => process.exit(code));
