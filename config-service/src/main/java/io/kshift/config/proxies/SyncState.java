package io.kshift.config.proxies;

/**
 * Where a proxy node stands against the live generation: SYNCED (runs it), SYNCING (behind, but for less than the
 * stale threshold — the normal few milliseconds after a change), STALE (behind for longer), NOT_SEEN (no
 * heartbeat for longer than the gone threshold; its last report is shown).
 */
public enum SyncState {
    SYNCED, SYNCING, STALE, NOT_SEEN
}
