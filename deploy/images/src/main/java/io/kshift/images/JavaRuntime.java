package io.kshift.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** A Java runtime with just the modules kshift's services use, jlinked from the JDK the build runs on. */
final class JavaRuntime {
    /**
     * Java SE plus the JDK modules the services reach at run time: Netty and Kafka use jdk.unsupported, Kafka's
     * SASL jdk.security.*, JMX and Micrometer jdk.management, TLS the EC provider, DNS lookups jdk.naming.dns.
     * Modules a JDK no longer has (jdk.crypto.ec was folded into java.base) are left out.
     */
    private static final List<String> MODULES = List.of("java.se", "jdk.unsupported", "jdk.crypto.ec",
            "jdk.crypto.cryptoki", "jdk.management", "jdk.naming.dns", "jdk.zipfs", "jdk.net", "jdk.jfr",
            "jdk.security.auth", "jdk.security.jgss", "jdk.charsets", "jdk.localedata");

    private JavaRuntime() {
    }

    static Path link(Path jdk, Path out) throws IOException, InterruptedException {
        Path jlink = jdk.resolve("bin/jlink");
        if (!Files.isExecutable(jlink)) {
            throw new IOException(jdk + " is a JRE, not a JDK (no bin/jlink): build the images with a JDK");
        }
        deleteTree(out);
        Set<String> available = available(jdk);
        List<String> modules = MODULES.stream().filter(available::contains).toList();
        List<String> command = new ArrayList<>(List.of(jlink.toString(), "--add-modules", String.join(",", modules),
                "--strip-debug", "--no-header-files", "--no-man-pages", "--output", out.toString()));
        run(command, "jlink");
        return out;
    }

    private static Set<String> available(Path jdk) throws IOException, InterruptedException {
        String listed = run(List.of(jdk.resolve("bin/java").toString(), "--list-modules"), "java --list-modules");
        return listed.lines().map(l -> l.replaceAll("@.*", "").trim()).collect(java.util.stream.Collectors.toSet());
    }

    static String run(List<String> command, String what) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw BaseImage.failed(what, p, output);
        }
        return output;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
