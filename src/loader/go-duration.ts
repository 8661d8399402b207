/** The loader's view of Go durations; the implementation lives in the model so the reconciler can use it too. */
export { DurationError, canonicalDuration, formatGoDuration, parseGoDuration } from '../model/duration.js';
