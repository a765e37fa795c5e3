/** What server.ts needs from either mode to shut it down. */
export interface Service {
  /** Requests (api) or jobs (worker) still running. */
  inFlight(): number;
  /** Stops taking new work; resolves once the work in hand is done. */
  stop(): Promise<void>;
  /** The grace period is over: drop whatever is still running. */
  abort(): void;
}
