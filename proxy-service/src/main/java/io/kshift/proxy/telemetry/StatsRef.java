package io.kshift.proxy.telemetry;

/**
 * What a route table holds instead of a destination's stats: the key, and the stats once traffic has reached it.
 * Building a table of thousands of destinations makes no stats at all; the first connection or request to one
 * makes its stats (one hash lookup), later ones read a field. When the catalogue retires idle stats the next use
 * finds fresh ones.
 */
public final class StatsRef {
    private final Telemetry catalogue;
    private final TrafficKey key;
    private volatile TrafficStats stats;

    StatsRef(Telemetry catalogue, TrafficKey key) {
        this.catalogue = catalogue;
        this.key = key;
    }

    public TrafficKey key() {
        return key;
    }

    /**
     * The live stats with one more connection open on them: the connection reports to these to its close (its bytes
     * and duration), whatever retirement does meanwhile.
     */
    public TrafficStats open() {
        while (true) {
            TrafficStats s = get();
            if (s.connectionOpened()) {
                return s;
            }
            // Being retired, under the key's lock, which the catalogue's lookup does not take while the entry is
            // there: a few microseconds until it is gone; the reporter is let run meanwhile.
            stats = null;
            Thread.yield();
        }
    }

    /** The live stats of this key, made on first use. */
    public TrafficStats get() {
        TrafficStats s = stats;
        if (s == null || s.retired()) {
            s = catalogue.stats(key);
            stats = s;
        }
        return s;
    }
}
