/**
 * Runs `work` over every item with at most `concurrency` calls in flight: a fixed set of
 * workers pulling from one iterator, so memory stays bounded whatever the number of items.
 */
export async function runBoundedPool<T>(
  items: Iterable<T>,
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<{ mostInFlight: number }> {
  const iterator = items[Symbol.iterator]();
  let inFlight = 0;
  let mostInFlight = 0;
  async function worker(): Promise<void> {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      try {
        await work(next.value);
      } finally {
        inFlight -= 1;
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  return { mostInFlight };
}
