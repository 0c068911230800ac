/**
 * Calls `listener` when `signal` aborts (at once if it has), until the returned function is
 * called. Every listener of a signal is kept in one Set behind one listener of the signal's own:
 * an AbortSignal searches its list of listeners on every add and remove, so forty thousand jobs
 * each adding one to the run's signal would cost time quadratic in their number.
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  if (signal.aborted) {
    listener();
    return () => {};
  }
  let listeners = fans.get(signal);
  if (!listeners) {
    const fan = new Set<() => void>();
    listeners = fan;
    fans.set(signal, fan);
    signal.addEventListener(
      'abort',
      () => {
        fans.delete(signal);
        for (const each of fan) each();
      },
      { once: true },
    );
  }
  const set = listeners;
  set.add(listener);
  return () => {
    set.delete(listener);
  };
}

const fans = new WeakMap<AbortSignal, Set<() => void>>();

/** A signal lent to one request: see lendSignal. */
export interface LentSignal {
  /** Aborted with the caller's signal, or by the request's own time limit. */
  readonly controller: AbortController;
  readonly caller: AbortSignal;
  busy: boolean;
  readonly stopForwarding: () => void;
}

/** Per caller signal, the one signal kept between its requests. */
const kept = new WeakMap<AbortSignal, LentSignal>();

/**
 * A signal for one request of `caller`'s: aborted when `caller` aborts, and abortable on its own
 * (the request's time limit) without touching `caller`. Lent rather than made anew: creating an
 * AbortController costs more than the rest of a request's bookkeeping together (~5 µs on Node
 * 20), and a watch makes a request at every poll of every job. One is kept per caller signal
 * (a job's own), lent to one request at a time; one that has aborted is never lent again.
 * Every signal lent is given back with `giveBack`, once its request has settled.
 */
export function lendSignal(caller: AbortSignal): LentSignal {
  const idle = kept.get(caller);
  if (idle && !idle.busy) {
    if (!idle.controller.signal.aborted) {
      idle.busy = true;
      return idle;
    }
    kept.delete(caller);
    idle.stopForwarding();
  }
  const controller = new AbortController();
  const stopForwarding = onAbort(caller, () => controller.abort(caller.reason));
  return { controller, caller, busy: true, stopForwarding };
}

/** Ends a loan: the signal is kept for the caller's next request, unless it aborted. */
export function giveBack(lent: LentSignal): void {
  lent.busy = false;
  const idle = kept.get(lent.caller);
  if (lent.controller.signal.aborted) {
    if (idle === lent) kept.delete(lent.caller);
    lent.stopForwarding();
  } else if (idle === undefined) {
    kept.set(lent.caller, lent);
  } else if (idle !== lent) {
    // Another request of the same caller's ran alongside: one kept is enough.
    lent.stopForwarding();
  }
}
