/** A live session's expiry times as the gateway states them, counted from now (an hour idle, eight in all), so the
 * fixtures never age into an expired session on a later date. */
export function liveSessionTimes(now: number = Date.now()): { expires_at: string; idle_expires_at: string } {
  return {
    expires_at: new Date(now + 8 * 3600_000).toISOString(),
    idle_expires_at: new Date(now + 3600_000).toISOString(),
  };
}
