/**
 * Runs before every test file (vitest `setupFiles`). The files share one process per worker
 * (`isolate: false`), so an evaluation of a stack and config is run once and then served from the
 * cache to every file that asks again (offline/evaluate.ts `useEvaluationCache`); and while the
 * program runs, errors keep one stack frame, not ten (`limitStackFrames`: Pulumi takes a stack
 * trace for every promise it makes).
 */
import { limitStackFrames, useEvaluationCache } from "../../offline/evaluate";

useEvaluationCache(true);
limitStackFrames(1);
