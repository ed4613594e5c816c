package io.kshift.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The JVM the local fleet's proxies run on. A proxy is judged from its first seconds after {@code ./kshift up}, and
 * on JDK 17 those seconds are the JIT's: the compiled data path is thrown away and rebuilt as real traffic arrives,
 * at a third of warm speed (docs/architecture.md "Data plane speed"). JDK 25's ahead-of-time cache (JEPs 483, 514,
 * 515) keeps a training run's loaded and linked classes and its method profiles, so the JIT compiles the hot paths
 * from the start. So where a JDK 25 or newer is installed the proxies run on it, with a cache a proxy's own warm-up
 * trained once per build ({@link ProxyAotCache}); elsewhere on the JVM that runs {@code ./kshift}, as before.
 * {@code KSHIFT_PROXY_JAVA} (a {@code java} binary or a JDK's home) chooses the JVM instead.
 */
record ProxyJvm(Path java, String version) {
    /** The first release whose AOT cache holds method profiles (JEP 515). */
    static final int AOT_FEATURE = 25;

    /** The release a JDK's home declares in its {@code release} file ({@code JAVA_VERSION="25.0.3"}). */
    static Optional<String> releaseOf(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin").resolve("java"))) {
            return Optional.empty();
        }
        try {
            return Files.readAllLines(release).stream().filter(l -> l.startsWith("JAVA_VERSION="))
                    .map(l -> l.substring("JAVA_VERSION=".length()).replace("\"", "").strip()).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static int feature(String version) {
        String first = version.split("[.+-]", 2)[0];
        try {
            return Integer.parseInt(first);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    boolean aot() {
        return feature(version) >= AOT_FEATURE;
    }

    /**
     * The proxies' JVM: {@code chosen} (from {@code KSHIFT_PROXY_JAVA}) when set, else the newest JDK of at least
     * {@link #AOT_FEATURE} among {@code homes}, else {@code current}, the JVM running this launcher.
     */
    static ProxyJvm choose(String chosen, List<Path> homes, ProxyJvm current) {
        if (chosen != null && !chosen.isBlank()) {
            Path p = Path.of(chosen.strip());
            Path java = Files.isDirectory(p) ? p.resolve("bin").resolve("java") : p;
            if (!Files.isExecutable(java)) {
                throw new IllegalArgumentException("KSHIFT_PROXY_JAVA=" + chosen + ": no java there");
            }
            try {
                java = java.toRealPath(); // /usr/bin/java is a link into the JDK whose release file says what it is
            } catch (IOException e) {
                throw new IllegalArgumentException("KSHIFT_PROXY_JAVA=" + chosen + ": " + e.getMessage());
            }
            return new ProxyJvm(java, releaseOf(java.getParent().getParent()).orElse("unknown"));
        }
        // Debian links java-1.25.0-openjdk-amd64 to java-25-openjdk-amd64: one JDK, one name (the cache's key).
        return homes.stream().map(ProxyJvm::real).distinct().sorted()
                .flatMap(h -> releaseOf(h).map(v -> new ProxyJvm(h.resolve("bin").resolve("java"), v)).stream())
                .filter(ProxyJvm::aot).max(Comparator.comparing(ProxyJvm::runtimeVersion)).orElse(current);
    }

    private static Path real(Path home) {
        try {
            return home.toRealPath();
        } catch (IOException e) {
            return home;
        }
    }

    /** The newest update wins among JDKs of one release; a version Java cannot parse sorts first. */
    private Runtime.Version runtimeVersion() {
        try {
            return Runtime.Version.parse(version);
        } catch (IllegalArgumentException e) {
            return Runtime.Version.parse(String.valueOf(feature(version)));
        }
    }

    /** The JVM running this launcher. */
    static ProxyJvm current() {
        return new ProxyJvm(Path.of(ProcessHandle.current().info().command().orElse("java")),
                Runtime.version().toString());
    }

    /** As {@code ./kshift up} chooses: {@code KSHIFT_PROXY_JAVA}, {@code JAVA_HOME} and {@code /usr/lib/jvm}. */
    static ProxyJvm forThisMachine() {
        List<Path> homes = new ArrayList<>();
        Optional.ofNullable(System.getenv("JAVA_HOME")).filter(s -> !s.isBlank()).map(Path::of).ifPresent(homes::add);
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> s = Files.list(jvms)) {
                s.filter(Files::isDirectory).forEach(homes::add);
            } catch (IOException e) {
                // no candidates there
            }
        }
        ProxyJvm current = current();
        try {
            return choose(System.getenv("KSHIFT_PROXY_JAVA"), homes, current);
        } catch (IllegalArgumentException e) {
            // down and status must still work: say so and run the proxies as without the setting
            System.err.println("note: " + e.getMessage() + "; the proxies run on " + current.java());
            return current;
        }
    }

    /**
     * Whether this JVM starts with these options: a JDK found on the machine may refuse one of the fleet's flags;
     * the proxies then run on the launcher's JVM instead. (A build that ignores them passes: its training writes no
     * cache, and the build is marked so.)
     */
    boolean accepts(List<String> jvmOptions) {
        List<String> command = new ArrayList<>(List.of(java.toString()));
        command.addAll(options(jvmOptions));
        command.add("-version");
        return ManagedProcess.exitsCleanly(command);
    }

    /** The JVM options of a command ({@code -X...}), the AOT cache's own left out. */
    static List<String> options(List<String> command) {
        return command.stream().filter(o -> o.startsWith("-X") && !o.startsWith("-XX:AOT")).toList();
    }

    /**
     * The cache's key: this JVM, these JVM options and this build of the proxy. The JDK checks the class path
     * itself and runs without a cache that does not match; the key makes a new build train a new one. Only JVM
     * options ({@code -X...}, the cache's own left out) count: system properties differ per node and per test
     * fleet, and the cache holds none of them.
     */
    String key(List<String> jvmOptions, Path app) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((java.toAbsolutePath().normalize() + "\n" + version + "\n").getBytes(StandardCharsets.UTF_8));
            options(jvmOptions).forEach(o -> sha.update((o + "\n").getBytes(StandardCharsets.UTF_8)));
            Path dir = app.getParent();
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    sha.update((dir.relativize(f) + " " + Files.size(f) + " " + Files.getLastModifiedTime(f)
                            .toMillis() + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
