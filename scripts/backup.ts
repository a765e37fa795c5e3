/**
 * `npm run backup -- --stack <name>`: a verified snapshot now (backup/). `--list` lists them.
 */
import { backupMain } from "../backup";

void backupMain("backup", process.argv.slice(2)).then((code) => process.exit(code));
