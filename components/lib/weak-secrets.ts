/**
 * The weak-secret judgement lives once, in the policy pack's pure lib (the program may import
 * it; CONVENTIONS.md "The shape of the code"), so config and pack refuse the same values. This
 * name is kept for the example API (examples/api/src/config.ts), which imports it from here.
 */
export { quietWeakSecretReason as weakSecretReason } from "../../policy/lib/secrets";
