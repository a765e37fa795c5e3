/**
 * The Lua scripts behind the job queue, each one atomic step. They are registered with
 * createClient's `scripts` option, which sends EVALSHA and, on NOSCRIPT (an empty script
 * cache after a Redis restart), EVAL, both through sendCommand, so they fail at once while
 * the client reconnects (redis.ts says why MULTI does not). In node-redis at tag
 * redis@5.12.1, packages/client/lib/client/index.ts: `#createScriptCommand` (lines 309-320)
 * calls `_executeScript` (lines 1145-1167), which calls `sendCommand`.
 *
 * Lease deadlines use the server's clock (TIME), not the worker's: every deadline is written
 * and compared on one clock, so workers whose clocks disagree still agree on when a lease
 * ends. Redis 5 and later replicate a script's effects, not the script, so a script may call
 * TIME before it writes.
 *
 * A lease is a member "<processing list>\0<id>" of the ZSET jobs:leases, scored by its
 * deadline in ms. The reaper reads list names from that member and from jobs:consumers,
 * keys the caller cannot declare in advance: fine on one Redis, which is what the stack
 * deploys, but not on Redis Cluster.
 */
import { defineScript, type CommandParser } from "redis";

/** One script: its KEYS, then its ARGV, as strings. */
function script(lua: string) {
  return defineScript({
    SCRIPT: lua,
    // No NUMBER_OF_KEYS, so node-redis sends only "EVALSHA <sha1>" (commander.ts,
    // scriptArgumentsPrefix, lines 117-128) and parseCommand pushes the count: enqueue's varies.
    parseCommand(parser: CommandParser, keys: readonly string[], args: readonly string[]) {
      parser.push(String(keys.length));
      for (const key of keys) parser.pushKey(key);
      parser.push(...args);
    },
    // Replies are checked where they are used (jobs.ts).
    transformReply: undefined as unknown as () => unknown,
  });
}

const NOW_MS = String.raw`local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)`;

export const SCRIPTS = {
  /**
   * KEYS jobs:payload, jobs:queue[, jobs:idempotency:<key>]; ARGV id, payload[, fingerprint,
   * ttl ms]. Replies {"new"|"replay"|"mismatch", id}. The key is claimed with SET NX in the
   * same step that stores and queues the job, so two requests with one key queue one job.
   */
  jobEnqueue: script(String.raw`
if KEYS[3] then
  if not redis.call('SET', KEYS[3], ARGV[3] .. ' ' .. ARGV[1], 'NX', 'PX', ARGV[4]) then
    local prior = redis.call('GET', KEYS[3])
    local sep = string.find(prior, ' ', 1, true)
    local verdict = string.sub(prior, 1, sep - 1) == ARGV[3] and 'replay' or 'mismatch'
    return { verdict, string.sub(prior, sep + 1) }
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('LPUSH', KEYS[2], ARGV[1])
return { 'new', ARGV[1] }`),

  /**
   * KEYS own processing list, jobs:leases; ARGV id, lease ms. Sets or renews the lease of a
   * job the worker holds. 0 when its list no longer holds the job: the lease ran out and a
   * reaper gave the job to the queue.
   */
  jobLease: script(String.raw`
if not redis.call('LPOS', KEYS[1], ARGV[1]) then return 0 end
${NOW_MS}
redis.call('ZADD', KEYS[2], string.format('%d', now + tonumber(ARGV[2])), KEYS[1] .. '\0' .. ARGV[1])
return 1`),

  /**
   * KEYS own processing list, jobs:leases, jobs:processed:<id>, jobs:processed:total,
   * jobs:payload; ARGV id. Records the result only if the job was still this worker's: a
   * worker that wakes after its job was reaped records nothing. 1 if recorded, else 0.
   */
  jobCommit: script(String.raw`
redis.call('ZREM', KEYS[2], KEYS[1] .. '\0' .. ARGV[1])
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end
redis.call('INCR', KEYS[3])
redis.call('INCR', KEYS[4])
redis.call('HDEL', KEYS[5], ARGV[1])
return 1`),

  /**
   * KEYS jobs:leases, jobs:queue, jobs:consumers; ARGV lease ms, most to reap. First leases,
   * from now, every job in a registered processing list that has no lease: its worker died
   * between BLMOVE and writing the lease. Then moves each job whose lease has run out from
   * its list back to the consuming end of the queue. Replies the reaped leases' members.
   */
  jobReap: script(String.raw`
${NOW_MS}
local seen = string.format('%d', now + tonumber(ARGV[1]))
for _, list in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  for _, id in ipairs(redis.call('LRANGE', list, 0, -1)) do
    redis.call('ZADD', KEYS[1], 'NX', seen, list .. '\0' .. id)
  end
end
local reaped = {}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
  local sep = string.find(member, '\0', 1, true)
  if sep then
    local id = string.sub(member, sep + 1)
    if redis.call('LREM', string.sub(member, 1, sep - 1), 1, id) > 0 then
      redis.call('RPUSH', KEYS[2], id)
      reaped[#reaped + 1] = member
    end
  end
end
return reaped`),

  /**
   * KEYS own processing list, jobs:queue, jobs:leases, jobs:consumers. At start (and after
   * an error): registers the list with the reapers, and moves everything in it back to the
   * consuming end of the queue, so its oldest job is the next one taken, dropping the leases.
   */
  jobRecover: script(String.raw`
redis.call('SADD', KEYS[4], KEYS[1])
local moved = 0
while true do
  local id = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
  if not id then return moved end
  redis.call('ZREM', KEYS[3], KEYS[1] .. '\0' .. id)
  moved = moved + 1
end`),

  /** KEYS own processing list, jobs:consumers. A clean stop leaves the registry if it holds nothing. */
  jobRetire: script(String.raw`
if redis.call('LLEN', KEYS[1]) > 0 then return 0 end
return redis.call('SREM', KEYS[2], KEYS[1])`),
};
