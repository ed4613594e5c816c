package io.kshift.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time and resident memory of some of the fleet's processes (the proxies for the proxy benchmark, the control
 * plane for {@code up}'s warm-up), read from /proc (Linux; zeros elsewhere).
 */
public final class ProcessCpu {
    private final List<Long> pids;

    public ProcessCpu(List<Long> pids) {
        this.pids = List.copyOf(pids);
    }

    /** User + system CPU of all of them, in clock ticks (1/100 s). */
    public long ticks() {
        long sum = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                // Not Linux, or the process is gone: it adds nothing.
            }
        }
        return sum;
    }

    /** Seconds since each one started, e.g. {@code [41, 40]} ({@code ?} where unknown). */
    public List<String> ageSeconds() {
        java.time.Instant now = java.time.Instant.now();
        return pids.stream().map(pid -> ProcessHandle.of(pid).flatMap(h -> h.info().startInstant())
                .map(t -> String.valueOf(java.time.Duration.between(t, now).toSeconds())).orElse("?")).toList();
    }

    /** Each one's resident set, in MB. */
    public List<Long> rssMb() {
        return pids.stream().map(ScaleBench::rssMegabytes).toList();
    }
}
