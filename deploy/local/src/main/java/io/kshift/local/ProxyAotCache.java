package io.kshift.local;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The proxies' AOT cache ({@link ProxyJvm} says why): {@code proxy-<key>.aot} in the repository's
 * {@code .kshift/aot}, not a fleet's work folder, so the test fleets of one build share one training. A build whose
 * training failed gets a {@code .failed} marker and is not tried again on every {@code up}.
 */
final class ProxyAotCache {
    private static final Pattern FINISHED = Pattern.compile("proxy-\\p{XDigit}{16}\\.(aot|failed)");
    private static final Duration READY = Duration.ofSeconds(180);
    /** The JVM writes the cache as it exits: ~10-20 s on 2 cores for ~90 MB. */
    private static final Duration WRITE = Duration.ofSeconds(180);

    private final FleetLayout layout;
    private final ProxyJvm jvm;
    private final Map<List<String>, Path> paths = new ConcurrentHashMap<>();

    ProxyAotCache(FleetLayout layout, ProxyJvm jvm) {
        this.layout = layout;
        this.jvm = jvm;
    }

    Path dir() {
        return layout.repo().resolve(".kshift").resolve("aot");
    }

    /**
     * The cache for a proxy started with {@code args}; empty on a JDK without one or with no build to key. Every
     * proxy of a fleet has the same JVM options, so the key (a walk over the build's files) is worked out once
     * per set of options: this object lives for one command, during which the build does not change.
     */
    Optional<Path> path(List<String> args) {
        if (!jvm.aot()) {
            return Optional.empty();
        }
        return Optional.ofNullable(paths.computeIfAbsent(ProxyJvm.options(args), options -> {
            try {
                return dir().resolve("proxy-" + jvm.key(options, layout.app("proxy-service")) + ".aot");
            } catch (UncheckedIOException e) {
                return null; // no proxy build (yet): nothing to key, nor kept, so a build made later is keyed
            }
        }));
    }

    /** The cache for {@code args}, if trained. */
    Optional<Path> trained(List<String> args) {
        return path(args).filter(Files::isRegularFile);
    }

    /** The marker of a training that failed for this build, if one did. */
    Optional<Path> failedBefore(List<String> args) {
        return path(args).map(ProxyAotCache::failed).filter(Files::exists);
    }

    /**
     * Trains the cache for {@code first}'s command when there is none and none failed for this build: the proxy
     * (under the first node's name, so the fleet view sees a node that started twice) runs its warm-up to
     * readiness on a recording JVM and is stopped, and the JDK writes the cache as it exits. Run only while nothing
     * of the fleet but Kafka runs, so the warm-up has the cores to itself and no real traffic reaches it.
     */
    void train(PrintStream out, Fleet.Member first, List<String> args, Fleet fleet) {
        Optional<Path> target = path(args);
        if (target.isEmpty() || Files.exists(target.get()) || Files.exists(failed(target.get()))) {
            return;
        }
        Path cache = target.get();
        try {
            Files.createDirectories(dir());
            try (FileChannel channel = FileChannel.open(dir().resolve("lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                // Another up may have trained it, or failed to, while this one waited.
                if (!Files.exists(cache) && !Files.exists(failed(cache))) {
                    removeOrphans();
                    trainLocked(out, first, cache, fleet);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            out.println("note: the proxies' AOT cache could not be trained (" + e.getMessage()
                    + "); they start without one");
        }
    }

    /** Under the lock no training runs: any training file is an interrupted one's. */
    private void removeOrphans() throws IOException {
        try (Stream<Path> files = Files.list(dir())) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith("training-")).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void trainLocked(PrintStream out, Fleet.Member first, Path cache, Fleet fleet) throws IOException {
        Path partial = dir().resolve("training-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".aot");
        Path log = layout.logs().resolve(first.name() + ".log");
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        out.printf("training the proxies' AOT cache on JDK %s (once per build, ~1 min) ...%n", jvm.version());
        long start = System.nanoTime();
        // The member's command is java, the fleet marker, then the JVM options: the output option joins those.
        List<String> command = new ArrayList<>(first.command());
        command.add(2, "-XX:AOTCacheOutput=" + partial);
        Outcome outcome = Outcome.NOT_READY;
        ProcessHandle proxy = ManagedProcess.start(layout, first.name(), command);
        // Ctrl-C on up: the training proxy must not stay behind as the node, still recording.
        Thread killer = new Thread(() -> kill(proxy));
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            fleet.awaitReady(first, READY);
            outcome = !stopAndAwaitCache(proxy) ? Outcome.NOT_READY
                    : Files.isRegularFile(partial) && Files.size(partial) > 0
                    && appended(log, logStart).contains("AOTCache creation is complete: " + partial)
                    ? Outcome.WRITTEN : Outcome.NOT_WRITTEN;
        } catch (IllegalStateException e) {
            // Exited before it was ready: the JDK or the proxy fails the same way for the real nodes.
            outcome = proxy.isAlive() ? Outcome.NOT_READY : Outcome.NOT_WRITTEN;
            out.println("note: the training proxy did not get ready (" + e.getMessage() + ")");
        } finally {
            kill(proxy);
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway, on a process already gone
            }
            ManagedProcess.forget(layout, first.name());
        }
        if (outcome != Outcome.WRITTEN) {
            Files.deleteIfExists(partial);
            Files.deleteIfExists(Path.of(partial + ".config"));
            if (outcome == Outcome.NOT_WRITTEN) {
                Files.writeString(failed(cache), "see " + log + "\n");
            }
            out.println("note: no AOT cache was written (see " + log + "); the proxies start without one"
                    + (outcome == Outcome.NOT_WRITTEN ? "; not tried again for this build (to retry: rm "
                    + failed(cache) + ")" : "; tried again at the next start of the whole fleet"));
            return;
        }
        Files.move(partial, cache, StandardCopyOption.ATOMIC_MOVE);
        try (Stream<Path> old = Files.list(dir())) {
            for (Path p : old.filter(p -> FINISHED.matcher(p.getFileName().toString()).matches())
                    .filter(p -> !p.equals(cache)).toList()) {
                Files.delete(p); // another build's or JVM's: a running proxy keeps its mapping of a deleted file
            }
        }
        out.printf("trained in %.0f s: %s%n", (System.nanoTime() - start) / 1e9, cache);
    }

    /** Written; not written though the JVM ran its course (marked, not retried); not ready in time (retried). */
    private enum Outcome { WRITTEN, NOT_WRITTEN, NOT_READY }

    /**
     * SIGTERM, then the time the JDK needs to write the cache (it forks a JVM to assemble it). Killed instead, and
     * the assembling JVM with it, the file is unfinished: that counts as no cache.
     */
    private static boolean stopAndAwaitCache(ProcessHandle proxy) {
        proxy.destroy();
        try {
            proxy.onExit().get(WRITE.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    private static void kill(ProcessHandle proxy) {
        if (proxy.isAlive()) {
            proxy.descendants().forEach(ProcessHandle::destroyForcibly);
            proxy.destroyForcibly(); // killed, it writes no cache
        }
    }

    /** What the log gained since {@code from}: an earlier run's lines (a reused PID's) do not count. */
    private static String appended(Path log, long from) throws IOException {
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ)) {
            long size = channel.size() - from;
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate((int) Math.max(0, Math.min(size, 64 << 20)));
            channel.read(bytes, from);
            return new String(bytes.array(), 0, bytes.position(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    private static Path failed(Path cache) {
        return cache.resolveSibling(cache.getFileName().toString().replace(".aot", ".failed"));
    }
}
