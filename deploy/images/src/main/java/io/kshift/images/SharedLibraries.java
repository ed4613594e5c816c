package io.kshift.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The C libraries a jlinked runtime needs, as {@code ldd} finds them on the build machine, at the paths it finds
 * them (a copy of each file, symlinks followed). AWT's native parts are left out: the services run headless and
 * never load them, and they would drag in X11.
 */
final class SharedLibraries {
    private static final Pattern RESOLVED = Pattern.compile("=>\\s+(/\\S+)\\s+\\(0x");
    private static final Pattern LOADER = Pattern.compile("^\\s*(/\\S+ld-linux\\S*)\\s+\\(0x");
    private static final Pattern DESKTOP_ONLY = Pattern.compile(
            "lib(awt|awt_xawt|splashscreen|jsound|fontmanager|lcms|javajpeg|mlib_image|jawt|j2pcsc)\\.so");
    /**
     * Linked by native code the JDK does not carry: RocksDB (Kafka Streams state stores) needs libstdc++ and
     * libgcc_s, and it and Netty's epoll transport were built against an older glibc that had libpthread, librt
     * and libdl apart (today's glibc keeps them as stubs, which must still exist). glibc loads its DNS resolver
     * on first lookup.
     */
    private static final List<String> ALSO = List.of("libstdc++.so.6", "libgcc_s.so.1", "libpthread.so.0",
            "librt.so.1", "libdl.so.2", "libutil.so.1", "libresolv.so.2", "libnss_dns.so.2", "libnss_files.so.2");

    private SharedLibraries() {
    }

    static SortedSet<Path> neededBy(Path jre) throws IOException, InterruptedException {
        SortedSet<Path> found = new TreeSet<>();
        List<Path> binaries;
        try (Stream<Path> all = Files.walk(jre)) {
            binaries = all.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".so") || p.getParent().getFileName().toString().equals("bin"))
                    .filter(p -> !DESKTOP_ONLY.matcher(p.getFileName().toString()).matches())
                    .toList();
        }
        for (Path binary : binaries) {
            Process p = new ProcessBuilder("ldd", binary.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            for (String line : out.lines().toList()) {
                Matcher m = RESOLVED.matcher(line);
                Matcher loader = LOADER.matcher(line);
                if (m.find() && !Path.of(m.group(1)).startsWith(jre)) {
                    found.add(Path.of(m.group(1)));
                } else if (loader.find()) {
                    found.add(Path.of(loader.group(1)));
                }
            }
        }
        if (found.isEmpty()) {
            throw new IOException("ldd found no C libraries for " + jre + ": the images need a Linux build machine");
        }
        Path libDir = found.stream().filter(p -> p.getFileName().toString().startsWith("libc.so"))
                .map(Path::getParent).findFirst().orElseThrow();
        for (String name : ALSO) {
            Path lib = libDir.resolve(name);
            if (Files.exists(lib)) {
                found.add(lib);
            }
        }
        return found;
    }
}
