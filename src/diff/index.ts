/**
 * The behavioural diff engine: compare the effective outputs of OLD and NEW
 * for one event (diffRuns), classify (riskOf), describe for grouping
 * (signatureOf, routeOf), leave out on purpose (compileIgnore) and tell
 * nondeterministic fields apart (isNoisyDiff).
 */
export type { RunView, DiffEntry, IgnoreMatcher, DiffKind, Risk, OutcomeLabel } from './types.js';
export { outcomeLabel, outcomeDetail, errorText, validationText } from './outcome.js';
export { diffRuns, EMPTY as NO_DIFFERENCES } from './compare.js';
export { riskOf, SECURITY_HEADERS } from './risk.js';
export { signatureOf, setSignature, isPrefixRemoval } from './signature.js';
export { templateValue } from './template.js';
export { routeOf } from './routes.js';
export { compileIgnore, IgnorePatternError } from './ignore.js';
export { isNoisyDiff, valueAt } from './noise.js';
