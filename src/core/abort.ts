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
