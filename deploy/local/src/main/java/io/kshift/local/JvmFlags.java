package io.kshift.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The services' JVM settings: the parent pom's {@code kshift.jvm.flags}, the same the images carry, plus a heap
 * per service sized for the config the local fleet is meant to hold (10,000–20,000 resources; see
 * docs/architecture.md "JVM settings"). Heaps are maxima: committed heap follows the live set at rest and grows
 * toward the maximum under a stream of changes.
 */
final class JvmFlags {
    /**
     * The validator and config-service hold whole configs (two while a new one is built): ~36 MB live at 10,000
     * resources. A larger maximum only lets G1 defer collections and grow the resident set.
     */
    static final String CONFIG_HEAP = "-Xmx256m";
    /** Proxies likewise, kept tighter so a node stays within 400 MB resident at 10,000 resources. */
    static final String PROXY_HEAP = "-Xmx192m";
    static final String TELEMETRY_HEAP = "-Xmx256m";

    private JvmFlags() {
    }

    static List<String> common() {
        Properties p = new Properties();
        try (InputStream in = JvmFlags.class.getResourceAsStream("/kshift-jvm.properties")) {
            if (in == null) {
                throw new IllegalStateException("kshift-jvm.properties is missing: rebuild deploy/local");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Arrays.stream(p.getProperty("flags", "").split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .filter(JvmFlags::accepted).toList();
    }

    /** Flags not every JDK 17 update knows: tried once with the JVM that runs the fleet, left out if refused. */
    private static final List<String> PROBED = List.of("-XX:TrimNativeHeapInterval=");
    private static final java.util.Map<String, Boolean> ACCEPTED = new java.util.concurrent.ConcurrentHashMap<>();

    private static boolean accepted(String flag) {
        if (PROBED.stream().noneMatch(flag::startsWith)) {
            return true;
        }
        return ACCEPTED.computeIfAbsent(flag, f -> {
            // Experimental in 17.0.9-17.0.10, a product flag from 17.0.11, unknown before.
            boolean ok = ManagedProcess.exitsCleanly(List.of(
                    ProcessHandle.current().info().command().orElse("java"),
                    "-XX:+UnlockExperimentalVMOptions", f, "-version"));
            if (!ok) {
                System.err.println("note: this JVM (" + Runtime.version() + ") refuses " + f
                        + "; the services run without it (idle JVMs keep more memory)");
            }
            return ok;
        });
    }
}
