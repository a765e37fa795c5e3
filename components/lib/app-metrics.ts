/**
 * The metrics contract between the services api-stack deploys and the alert rules it renders
 * (components/lib/alert-rules.ts). The example API (examples/api/src/metrics.ts) exposes exactly
 * these; an API of your own must expose the same names on `GET /metrics` for the rules to see it.
 *
 * The names and thresholds come from the production guide (seed 004, "Key Metrics to Monitor"):
 * `app_requests_total` by status, the `app_request_latency_seconds` histogram and
 * `db_connection_failures_total`. Its circuit-breaker and staleness metrics have no counterpart
 * here: the example API has no breaker (every Redis failure is a 503 at once) and reads one
 * primary, so nothing it serves can be stale (docs/monitoring.md, "What is not measured").
 */

/** The API's metrics, at `/metrics` on METRICS_PORT. */
export const API_METRICS = {
  /** Counter, labels `route` (the route's pattern, never the raw path), `method`, `status`. */
  requests: "app_requests_total",
  /** Histogram of whole-request time in seconds, labels `route` and `method`. */
  latency: "app_request_latency_seconds",
  /** Gauge, 1 while the service's Redis client is connected and ready, else 0. */
  redisUp: "app_redis_up",
} as const;

/** Both the API and the workers count their Redis round trips and the ones that failed. */
export const DB_METRICS = {
  /** Counter: Redis operations a request or a job attempted. */
  requests: "db_requests_total",
  /** Counter: those that failed because Redis could not be reached (refused, closed, timed out). */
  connectionFailures: "db_connection_failures_total",
} as const;

/** A worker's metrics, at `/metrics` on METRICS_PORT. */
export const WORKER_METRICS = {
  /** Counter: jobs finished. */
  processed: "worker_jobs_processed_total",
  /** Counter: jobs that threw. */
  failed: "worker_jobs_failed_total",
  /** Gauge: the shared queue's length (LLEN), read at scrape time. */
  queueDepth: "worker_queue_depth",
  /** Gauge: Unix time of the last heartbeat, seconds; its age is `time() - value`. */
  heartbeat: "worker_heartbeat_timestamp_seconds",
} as const;

/**
 * The latency histogram's buckets, seconds. 0.5 must be a boundary: the P99 > 500 ms alert
 * compares `histogram_quantile`, which interpolates inside a bucket, so a boundary at the
 * threshold makes "above 0.5" exact rather than an estimate.
 */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/**
 * The port the API and the workers serve `/metrics` on, inside their containers: never the
 * API's own port, which the edge proxy publishes (examples/api/src/api.ts says why).
 */
export const METRICS_PORT = 9464;
