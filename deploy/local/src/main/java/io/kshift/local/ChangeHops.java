package io.kshift.local;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Where an accepted change's time went, from the records a reader saw on the bus ({@link ChangeTimeline}); pure
 * arithmetic, wall-clock milliseconds. Hops: config-service (POST until its producer sent the change), the validator
 * (until it sent its verdict), publish (until it sent the new generation's config record: encoding, compression),
 * commit (until the reader could read that record: the transaction's offsets, commit and markers, the fetch), the
 * proxies (until the last of the nodes the answer names reported the generation), the report (until this reader
 * could read the last of those reports: the status producer, the broker, the fetch) and the answer (until the POST
 * returned: config-service's own read of the reports, its response).
 */
final class ChangeHops {
    static final List<String> HOPS = List.of("config-service", "validator", "publish", "commit", "proxies", "report",
            "answer");

    /** An accepted change the benchmark made, the nodes its answer says run it, wall-clock ms around the POST. */
    record Measured(String changeId, List<String> nodes, long postedAt, long answeredAt) {
    }

    /** A record's producer timestamp and when the reader first could read it. */
    record Seen(long sentAt, long readAt) {
    }

    /** The config record a change made: its generation, sent and read. */
    record Config(long generation, long sentAt, long readAt) {
    }

    /**
     * What the reader saw: per change id its change, result and config records; per node its reports in order, each
     * {generation, producer timestamp, when the reader first could read it}.
     */
    record Bus(Map<String, Seen> changes, Map<String, Seen> results, Map<String, Config> configs,
               Map<String, List<long[]>> reports) {
    }

    private ChangeHops() {
    }

    /** Each change's hops in {@link #HOPS} order; a change whose records were not all seen is left out. */
    static List<long[]> of(List<Measured> measured, Bus bus) {
        List<long[]> out = new ArrayList<>();
        for (Measured m : measured) {
            Seen change = bus.changes().get(m.changeId());
            Seen result = bus.results().get(m.changeId());
            Config config = bus.configs().get(m.changeId());
            long[] reported = config == null ? null : lastReport(bus.reports(), m, config.generation());
            if (change == null || result == null || reported == null) {
                continue;
            }
            out.add(new long[] {change.sentAt() - m.postedAt(), result.sentAt() - change.sentAt(),
                    config.sentAt() - result.sentAt(), config.readAt() - config.sentAt(),
                    reported[0] - config.readAt(), reported[1] - reported[0], m.answeredAt() - reported[1]});
        }
        return out;
    }

    /**
     * When the slowest of the change's nodes first reported {@code generation} (or later) between the POST and the
     * answer, and when the last of those first reports could be read: {sent, read}; null when one did not report.
     */
    private static long[] lastReport(Map<String, List<long[]>> reports, Measured m, long generation) {
        long sent = Long.MIN_VALUE;
        long read = Long.MIN_VALUE;
        for (String node : m.nodes()) {
            long[] first = null;
            for (long[] report : reports.getOrDefault(node, List.of())) {
                if (report[0] >= generation && report[1] >= m.postedAt() && report[1] <= m.answeredAt()) {
                    first = report;
                    break;
                }
            }
            if (first == null) {
                return null;
            }
            sent = Math.max(sent, first[1]);
            read = Math.max(read, first[2]);
        }
        return m.nodes().isEmpty() ? null : new long[] {sent, read};
    }

    /**
     * One change: {@code [config-service 12, validator 30, ... ms]}; several: p50 / max per hop and the slowest
     * change's own split (the maxima may come from different changes).
     */
    static String describe(List<long[]> splits, int measured) {
        if (splits.isEmpty()) {
            return "";
        }
        if (measured == 1) {
            return "[" + split(splits.get(0)) + " ms]";
        }
        List<String> parts = new ArrayList<>();
        for (int h = 0; h < HOPS.size(); h++) {
            int hop = h;
            List<Long> sorted = splits.stream().map(s -> s[hop]).sorted().toList();
            parts.add(HOPS.get(h) + " " + Probe.at(sorted, 0.5) + " / " + sorted.get(sorted.size() - 1));
        }
        long[] slowest = splits.stream().max(Comparator.comparingLong(ChangeHops::total)).orElseThrow();
        return String.join(", ", parts) + "; the slowest change (" + total(slowest) + " ms): " + split(slowest)
                + (splits.size() < measured ? " (" + splits.size() + " of " + measured + " changes read whole)" : "");
    }

    private static long total(long[] split) {
        long sum = 0;
        for (long ms : split) {
            sum += ms;
        }
        return sum;
    }

    private static String split(long[] split) {
        List<String> parts = new ArrayList<>();
        for (int h = 0; h < HOPS.size(); h++) {
            parts.add(HOPS.get(h) + " " + split[h]);
        }
        return String.join(", ", parts);
    }
}
