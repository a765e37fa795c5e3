/**
 * `npm run restore -- --stack <name> --from <latest|name|offsite:latest>` (backup/).
 */
import { backupMain } from "../backup";

void backupMain("restore", process.argv.slice(2)).then((code) => process.exit(code));
