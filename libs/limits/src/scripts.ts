/**
 * The Lua scripts behind LimitsStore. They run atomically in Redis, which is what makes N parallel calls
 * against L remaining give exactly L admissions, and they read the clock from Redis TIME so that every
 * gateway replica counts in the same second, day and month whatever its own clock says. The last argument
 * of each, when not empty, replaces TIME (a test seam: production passes '').
 */

/**
 * Days since 1970-01-01 to YYYYMM (Howard Hinnant's civil_from_days; Lua has no date library in Redis), and the
 * clock every script reads.
 */
const CLOCK_AND_CALENDAR = `
local function month_tag(day)
  local z = day + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local month = mp < 10 and mp + 3 or mp - 9
  local year = yoe + era * 400
  if month <= 2 then year = year + 1 end
  return year * 100 + month
end

-- The one clock of every script: Redis TIME (or the fixed seconds a test passes), in seconds and in milliseconds.
local function clock(fixed)
  if fixed ~= '' then
    local now = tonumber(fixed)
    return now, now * 1000
  end
  local time = redis.call('TIME')
  local now = tonumber(time[1])
  return now, now * 1000 + math.floor(tonumber(time[2]) / 1000)
end
`;

/** Seconds each counter outlives its period: the daily one is named in the privacy policy (two days). */
export const COUNTER_TTL_SECONDS = { rate: 2, daily: 2 * 86_400, units: 62 * 86_400 } as const;

/**
 * KEYS: rate base, daily base, units base (the period is appended here, from TIME), workspace rate base, and the
 * workspace's in-flight set (lease id -> expiry in Unix ms).
 * ARGV: rate limit, daily limit (-1: none), monthly quota, units, cents per 1000 units, spend cap (-1: none),
 * workspace rate limit, max in flight, lease id, lease ms, fixed now.
 * Drops expired leases first (a crashed gateway's calls give their slots back at their expiry), then checks the
 * key's rate, the workspace's rate, the workspace's calls in flight, daily, quota, spend cap in that order; a
 * refusal increments nothing, an admission increments all and takes a lease.
 * Returns { verdict, now, rate used, daily used, units used this month, month tag, workspace rate used }.
 */
export const ADMIT_SCRIPT = `${CLOCK_AND_CALENDAR}
local now, now_ms = clock(ARGV[11])
local day = math.floor(now / 86400)
local month = month_tag(day)
local rate_key = KEYS[1] .. ':' .. now
local daily_key = KEYS[2] .. ':' .. day
local units_key = KEYS[3] .. ':' .. month
local ws_rate_key = KEYS[4] .. ':' .. now
local in_flight_key = KEYS[5]
redis.call('ZREMRANGEBYSCORE', in_flight_key, '-inf', now_ms)
local rate_used = tonumber(redis.call('GET', rate_key) or '0')
local ws_rate_used = tonumber(redis.call('GET', ws_rate_key) or '0')
local in_flight = redis.call('ZCARD', in_flight_key)
local daily_used = tonumber(redis.call('GET', daily_key) or '0')
local units_used = tonumber(redis.call('GET', units_key) or '0')
local units = tonumber(ARGV[4])
local daily_limit = tonumber(ARGV[2])
local cap = tonumber(ARGV[6])
local lease_ms = tonumber(ARGV[10])

local verdict = 'none'
if rate_used + 1 > tonumber(ARGV[1]) then
  verdict = 'rate'
elseif ws_rate_used + 1 > tonumber(ARGV[7]) then
  verdict = 'workspace_rate'
elseif in_flight + 1 > tonumber(ARGV[8]) then
  verdict = 'in_flight'
elseif daily_limit >= 0 and daily_used + 1 > daily_limit then
  verdict = 'daily'
elseif units_used + units > tonumber(ARGV[3]) then
  verdict = 'quota'
elseif cap >= 0 and math.floor(((units_used + units) * tonumber(ARGV[5]) + 999) / 1000) > cap then
  verdict = 'spend_cap'
end
if verdict ~= 'none' then
  return { verdict, now, rate_used, daily_used, units_used, month, ws_rate_used }
end

rate_used = redis.call('INCR', rate_key)
if rate_used == 1 then redis.call('EXPIRE', rate_key, ${COUNTER_TTL_SECONDS.rate}) end
ws_rate_used = redis.call('INCR', ws_rate_key)
if ws_rate_used == 1 then redis.call('EXPIRE', ws_rate_key, ${COUNTER_TTL_SECONDS.rate}) end
daily_used = redis.call('INCR', daily_key)
if daily_used == 1 then redis.call('EXPIRE', daily_key, ${COUNTER_TTL_SECONDS.daily}) end
units_used = redis.call('INCRBY', units_key, units)
if units_used == units then redis.call('EXPIRE', units_key, ${COUNTER_TTL_SECONDS.units}) end
redis.call('ZADD', in_flight_key, now_ms + lease_ms, ARGV[9])
if redis.call('PTTL', in_flight_key) < lease_ms then redis.call('PEXPIRE', in_flight_key, lease_ms) end
return { verdict, now, rate_used, daily_used, units_used, month, ws_rate_used }
`;

/** KEYS: the exact units key an admission incremented. ARGV: units. Never goes below zero; keeps the TTL. */
export const REFUND_SCRIPT = `
local used = redis.call('GET', KEYS[1])
if not used then return 0 end
local left = math.max(0, tonumber(used) - tonumber(ARGV[1]))
redis.call('SET', KEYS[1], left, 'KEEPTTL')
return left
`;

/** KEYS: units base. ARGV: fixed now. Returns the workspace's units this UTC month. */
export const UNITS_SCRIPT = `${CLOCK_AND_CALENDAR}
local now = clock(ARGV[1])
return tonumber(redis.call('GET', KEYS[1] .. ':' .. month_tag(math.floor(now / 86400))) or '0')
`;
