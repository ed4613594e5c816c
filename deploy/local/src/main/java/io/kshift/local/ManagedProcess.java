package io.kshift.local;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A fleet member run as its own process: output to {@code logs/<name>.log}, PID in {@code pids/<name>.pid}. Every
 * command carries {@code -Dkshift.fleet.member=<name>}, so {@code down} stops exactly what {@code up} started and
 * never a process that merely reused a PID.
 */
public final class ManagedProcess {
    static final String MARKER = "-Dkshift.fleet.member=";

    private ManagedProcess() {
    }

    /** {@code java} with the marker, then the given JVM options and arguments. */
    public static List<String> java(String name, List<String> args) {
        return java(ProcessHandle.current().info().command().orElse("java"), name, args);
    }

    /** The same with another {@code java} binary (the proxies' JDK: {@link ProxyJvm}). */
    public static List<String> java(String java, String name, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add(MARKER + name);
        cmd.addAll(args);
        return cmd;
    }

    /**
     * {@code command} at a lower CPU priority ({@code nice -n 10}) where {@code nice} exists. The local fleet runs the
     * control plane (Kafka, validator, config-service, telemetry-service) this way: on a small box they share cores
     * with the proxies, and a config change or a 900-resource load must not delay the traffic the proxies carry
     * (in a cluster they run on their own pods, with CPU requests).
     */
    public static List<String> background(List<String> command) {
        for (String dir : List.of("/usr/bin", "/bin")) {
            Path nice = Path.of(dir, "nice");
            if (Files.isExecutable(nice)) {
                List<String> out = new ArrayList<>(List.of(nice.toString(), "-n", "10"));
                out.addAll(command);
                return out;
            }
        }
        return command;
    }

    /**
     * Whether a short-lived command (a {@code java ... -version} probe) exits 0 within 30 s; its output is
     * discarded and one that hangs is killed and counts as failed.
     */
    static boolean exitsCleanly(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static ProcessHandle start(FleetLayout layout, String name, List<String> command) {
        try {
            Files.createDirectories(layout.logs());
            Files.createDirectories(layout.pids());
            File log = layout.logs().resolve(name + ".log").toFile();
            ProcessBuilder builder = new ProcessBuilder(command);
            // As in the images: glibc's per-thread malloc arenas only add RSS to a JVM.
            builder.environment().put("MALLOC_ARENA_MAX", "2");
            Process process = builder
                    .directory(layout.repo().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            Files.writeString(layout.pids().resolve(name + ".pid"), String.valueOf(process.pid()));
            return process.toHandle();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** The live process {@code up} started under this name, if it is still running. */
    public static Optional<ProcessHandle> running(FleetLayout layout, String name) {
        Path pidFile = layout.pids().resolve(name + ".pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().commandLine().map(c -> (c + " ").contains(MARKER + name + " ")).orElse(false));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether the process {@code start} just launched under this name is still alive. Unlike {@link #running} it
     * does not look at the command line, which right after a start may still be the launcher's helper's (Java
     * starts children through jspawnhelper, then {@code nice}): a check there would call a starting member dead.
     */
    public static boolean alive(FleetLayout layout, String name) {
        Path pidFile = layout.pids().resolve(name + ".pid");
        try {
            return Files.exists(pidFile) && ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
                    .map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** Forgets a member's PID (its process is gone or never to be stopped by name). */
    static void forget(FleetLayout layout, String name) {
        try {
            Files.deleteIfExists(layout.pids().resolve(name + ".pid"));
        } catch (IOException ignored) {
            // nothing to forget
        }
    }

    /** Stops a member gracefully (SIGTERM), forcibly after {@code grace}; forgets its PID. */
    public static boolean stop(FleetLayout layout, String name, Duration grace) {
        Optional<ProcessHandle> handle = running(layout, name);
        handle.ifPresent(h -> {
            h.destroy();
            try {
                h.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        });
        try {
            Files.deleteIfExists(layout.pids().resolve(name + ".pid"));
        } catch (IOException ignored) {
            // nothing running under it any more
        }
        return handle.isPresent();
    }
}
