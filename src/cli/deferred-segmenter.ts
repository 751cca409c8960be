/**
 * yargs imports string-width three times (its own copy, cliui's and wrap-ansi's), and each
 * builds an Intl.Segmenter as it loads; the first one loads ICU's word-break data, ~20 ms of
 * CPU on the main thread before a replay can start (the largest single cost of importing
 * yargs after compiling it). A command that prints no help never measures a string. While
 * `load` runs, Intl.Segmenter is a stand-in whose instances build the real segmenter on
 * first use (the same options, the same results); the real constructor is back as soon as
 * `load` settles.
 */
type SegmenterArgs = ConstructorParameters<typeof Intl.Segmenter>;

export async function withDeferredSegmenter<T>(load: () => Promise<T>): Promise<T> {
  const Real = Intl.Segmenter;
  class DeferredSegmenter {
    readonly #args: SegmenterArgs;
    #real: Intl.Segmenter | undefined;
    constructor(...args: SegmenterArgs) {
      this.#args = args;
    }
    #segmenter(): Intl.Segmenter {
      return (this.#real ??= new Real(...this.#args));
    }
    segment(input: string): Intl.Segments {
      return this.#segmenter().segment(input);
    }
    resolvedOptions(): Intl.ResolvedSegmenterOptions {
      return this.#segmenter().resolvedOptions();
    }
  }
  Object.defineProperty(Intl, 'Segmenter', { value: DeferredSegmenter, writable: true, configurable: true, enumerable: false });
  try {
    return await load();
  } finally {
    Object.defineProperty(Intl, 'Segmenter', { value: Real, writable: true, configurable: true, enumerable: false });
  }
}
