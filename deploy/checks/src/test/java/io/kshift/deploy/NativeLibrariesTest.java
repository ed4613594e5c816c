package io.kshift.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The native code the services load at run time finds every C library it needs in the image: Netty's epoll
 * transport (the proxy's SO_REUSEPORT listeners) and RocksDB (telemetry-service's Kafka Streams state). A missing
 * library would not fail the image's start: Netty falls back to NIO silently, RocksDB fails on the first window.
 */
class NativeLibrariesTest {
    private static final Pattern NEEDED = Pattern.compile("\\(NEEDED\\)\\s+Shared library: \\[([^]]+)]");

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "proxy-service/target/jib-image.tar, netty-transport-native-epoll, libnetty_transport_native_epoll_x86_64.so",
        "telemetry-service/target/jib-image.tar, rocksdbjni, librocksdbjni-linux64.so"})
    void everyLibraryItLinksIsInTheImage(String tarball, String jarPrefix, String library) throws Exception {
        assumeFalse(Boolean.getBoolean("kshift.images.skip"), "images skipped (-Dkshift.images.skip=true)");
        assumeTrue("amd64".equals(System.getProperty("os.arch")), "the images carry x86_64 natives");
        ImageTarball image = ImageTarball.read(Repo.path(tarball));
        String jar = image.files().keySet().stream()
                .filter(f -> f.startsWith("/deployments/lib/main/") && f.contains(jarPrefix) && f.endsWith(".jar"))
                .filter(f -> !jarPrefix.startsWith("netty") || f.contains("linux-x86_64"))
                .findFirst().orElseThrow(() -> new AssertionError(jarPrefix + " is not in " + tarball));
        byte[] so = null;
        try (var zip = new ZipInputStream(new ByteArrayInputStream(image.content(jar)))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                if (e.getName().endsWith("/" + library) || e.getName().equals(library)) {
                    so = zip.readAllBytes();
                }
            }
        }
        assertThat(so).as(library + " in " + jar).isNotNull();

        List<String> needed = needed(so);
        assertThat(needed).isNotEmpty().allSatisfy(lib -> assertThat(image.files().keySet())
                .as(library + " needs " + lib).anyMatch(f -> f.endsWith("/" + lib) && f.startsWith("/lib")));
    }

    private static List<String> needed(byte[] so) throws Exception {
        Path file = Files.createTempFile("native-", ".so");
        try {
            Files.write(file, so);
            Process p;
            try {
                p = new ProcessBuilder("readelf", "-d", file.toString()).redirectErrorStream(true).start();
            } catch (java.io.IOException e) {
                assumeTrue(false, "readelf (binutils) is not installed");
                throw e;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            List<String> libs = new ArrayList<>();
            Matcher m = NEEDED.matcher(out);
            while (m.find()) {
                libs.add(m.group(1));
            }
            return libs;
        } finally {
            Files.delete(file);
        }
    }
}
