/**
 * Step numbering (device-link.md §2.2): steps run 1…4 294 967 295 and wrap; 0 is reserved for
 * unsolicited traffic; two consecutive steps must differ. The counter is persisted by the caller
 * (legacy `devices.step` holds the next step to use): pass it in, get told every new value.
 */

/** Largest step the firmware accepts. */
export const MAX_STEP = 4_294_967_295;

/** The step after `n`, wrapping to 1 (never 0). */
export function nextStep(n: number): number {
  return n >= MAX_STEP || n < 1 || !Number.isInteger(n) ? 1 : n + 1;
}

/** A persisted counter value made valid: anything outside 1…MAX_STEP becomes 1. */
export function normaliseStep(n: number): number {
  return Number.isInteger(n) && n >= 1 && n <= MAX_STEP ? n : 1;
}

export interface StepCounterOptions {
  /** The persisted counter: the next step to use (legacy `devices.step`, new devices 1000). */
  readonly next: number;
  /** The last step actually sent, when known; never reused as the next one. */
  readonly previous?: number;
  /** Called with the new persisted value (the next step to use) after every allocation. */
  readonly persist?: (next: number) => void;
}

/**
 * Allocates steps for one device. Synchronous, so two callers in this process can never get the
 * same value; `inUse` lets the caller skip steps still awaiting answers after a wrap-around.
 */
export class StepCounter {
  private next: number;
  private previous: number;

  constructor(private readonly opts: StepCounterOptions) {
    this.next = normaliseStep(opts.next);
    this.previous = opts.previous ?? 0;
  }

  /** The next step, never 0, never the previous one, never one for which `inUse` is true. */
  allocate(inUse: (step: number) => boolean = () => false): number {
    let step = this.next;
    // At most a handful of steps are in use at once, so this ends quickly.
    for (let guard = 0; (step === this.previous || inUse(step)) && guard < 1_000_000; guard++) step = nextStep(step);
    this.previous = step;
    this.next = nextStep(step);
    this.opts.persist?.(this.next);
    return step;
  }

  /** The value to persist now (the next step to use). */
  get persisted(): number {
    return this.next;
  }
}
