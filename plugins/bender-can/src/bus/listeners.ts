/** A set of listeners with add-returns-remover semantics. */
export class ListenerSet<T extends unknown[]> {
  private readonly listeners = new Set<(...args: T) => void>();

  add(listener: (...args: T) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Calls every listener; a throwing listener does not stop the others. */
  emit(...args: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(...args);
      } catch {
        // A listener's bug must not break the transport; listeners handle their own errors.
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }

  get size(): number {
    return this.listeners.size;
  }
}
