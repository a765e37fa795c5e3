/**
 * `npm run rollback -- --stack <name> [--yes]`: back to the API image that ran before the
 * current one, through `pulumi config set` and `pulumi up` with the policy pack. The logic is
 * in rollback/ (rollback/history.ts decides); this file is only the command line.
 */
import { rollbackMain } from "../rollback";

void rollbackMain(process.argv.slice(2)).then((code) => process.exit(code));
