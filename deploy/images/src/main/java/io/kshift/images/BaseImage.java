package io.kshift.images;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * Builds {@code kshift/jre}, the base of every kshift image, as an image tarball, with no Docker engine and no
 * registry: a container registry is not reachable from every build machine (ours reach only Maven Central), so the
 * base is made from what the build machine has. Its layers: a Java runtime jlinked from the JDK running the build,
 * the C libraries that runtime links against (found with {@code ldd}, as distroless images are made from Debian's
 * packages), and the few files a JVM expects in a root filesystem (users, {@code /tmp}, CA certificates).
 * Usage: {@code BaseImage <image.tar>}.
 */
public final class BaseImage {
    /** The user every kshift image runs as: not root, and numeric so Kubernetes can check runAsNonRoot. */
    static final String USER = "1001";
    static final String JAVA_HOME = "/opt/java";
    /** Where {@link HealthCheck} lives in every image, for compose health checks (no curl in the images). */
    static final String HEALTH_CHECK_DIR = "/opt/kshift/health";
    private static final Instant EPOCH = Instant.ofEpochSecond(1);

    private BaseImage() {
    }

    /**
     * The images start with kshift.jvm.flags: a runtime that refuses one (an older JDK 17 update than a flag needs)
     * would make every pod crash-loop, so the build fails here instead.
     */
    private static void acceptsFlags(Path jre, String flags) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(jre.resolve("bin/java").toString()));
        for (String f : flags.split(",")) {
            if (!f.isBlank()) {
                cmd.add(f.strip());
            }
        }
        cmd.add("-version");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the images' Java runtime (" + Runtime.version() + ") refuses "
                    + "kshift.jvm.flags " + flags + ":\n" + out);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            throw new IllegalArgumentException("usage: BaseImage <image.tar> [jvm flags, comma-separated]");
        }
        Path tar = Path.of(args[0]).toAbsolutePath();
        Path work = Files.createDirectories(tar.getParent().resolve("base-image"));
        Path jre = JavaRuntime.link(Path.of(System.getProperty("java.home")), work.resolve("jre"));
        if (args.length == 2) {
            acceptsFlags(jre, args[1]);
        }
        SortedSet<Path> libraries = SharedLibraries.neededBy(jre);
        Path etc = RootFiles.write(work.resolve("rootfs"));

        FileEntriesLayer.Builder system = FileEntriesLayer.builder().setName("system");
        for (Path lib : libraries) {
            system.addEntry(lib, AbsoluteUnixPath.get(lib.toString()), FilePermissions.fromOctalString("755"), EPOCH);
        }
        for (Path top : RootFiles.children(etc)) {
            system.addEntryRecursive(top, AbsoluteUnixPath.get("/" + top.getFileName()),
                (source, target) -> target.toString().equals("/tmp") ? FilePermissions.fromOctalString("777")
                        : Files.isDirectory(source) ? FilePermissions.DEFAULT_FOLDER_PERMISSIONS
                        : FilePermissions.DEFAULT_FILE_PERMISSIONS,
                (source, target) -> EPOCH,
                (source, target) -> target.toString().startsWith("/home/kshift") ? USER + ":" + USER : "0:0");
        }

        Path healthCheck = Path.of(HealthCheck.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("io/kshift/images/HealthCheck.class");
        system.addEntry(healthCheck, AbsoluteUnixPath.get(HEALTH_CHECK_DIR + "/io/kshift/images/HealthCheck.class"),
                FilePermissions.DEFAULT_FILE_PERMISSIONS, EPOCH);

        FileEntriesLayer.Builder runtime = FileEntriesLayer.builder().setName("jre");
        runtime.addEntryRecursive(jre, AbsoluteUnixPath.get(JAVA_HOME),
                (source, target) -> Files.isDirectory(source) || Files.isExecutable(source)
                        ? FilePermissions.fromOctalString("755") : FilePermissions.DEFAULT_FILE_PERMISSIONS,
                (source, target) -> EPOCH);

        String name = "kshift/jre:" + Runtime.version().feature();
        JibContainer image = Jib.fromScratch()
                .addFileEntriesLayer(system.build())
                .addFileEntriesLayer(runtime.build())
                .setEnvironment(Map.of("JAVA_HOME", JAVA_HOME, "PATH", JAVA_HOME + "/bin:/usr/bin:/bin",
                        "LANG", "C.UTF-8", "HOME", "/home/kshift"))
                .setUser(USER)
                .setWorkingDirectory(AbsoluteUnixPath.get("/home/kshift"))
                .setEntrypoint(List.of(JAVA_HOME + "/bin/java", "-version"))
                .containerize(Containerizer.to(TarImage.at(tar).named(name)).setToolName("kshift-images")
                        .setOfflineMode(true));
        Files.writeString(tar.resolveSibling("kshift-jre.digest"), image.getDigest() + "\n", StandardCharsets.UTF_8);
        System.out.printf("built %s (%s) from %s: %d C libraries, %s%n", name, image.getDigest(),
                System.getProperty("java.home"), libraries.size(), tar);
    }

    static IOException failed(String what, Process p, String output) {
        return new IOException(what + " exited with " + p.exitValue() + ":\n" + output);
    }
}
