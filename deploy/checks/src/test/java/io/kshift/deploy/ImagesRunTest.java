package io.kshift.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/**
 * The images run. With no container engine on the build machine, an image's layers are unpacked into a directory
 * and its entrypoint started there with chroot, as the image's user: the same root filesystem a container gets
 * (minus namespaces). Needs root for chroot and mounting /proc; skipped where the build is not root.
 */
class ImagesRunTest {
    @Test
    void theTcpEchoImageAnswersAsIstiosSampleDoes() throws Exception {
        try (Rootfs root = Rootfs.unpack("samples/target/tcp-echo-image.tar")) {
            int port = freePort();
            List<String> command = new ArrayList<>();
            root.image.config().path("Entrypoint").forEach(e -> command.add(e.asText()));
            command.addAll(List.of(String.valueOf(port), "one"));
            Process p = root.start(command);
            try {
                String answer = retry(() -> {
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        s.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
                        return new BufferedReader(new InputStreamReader(s.getInputStream())).readLine();
                    }
                });
                assertThat(answer).isEqualTo("one hello");
            } finally {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void theProxyImageStartsAndAnswersItsHealthCheck() throws Exception {
        try (Rootfs root = Rootfs.unpack("proxy-service/target/jib-image.tar")) {
            int port = freePort();
            List<String> command = new ArrayList<>();
            root.image.config().path("Entrypoint").forEach(e -> command.add(e.asText()));
            command.set(command.size() - 1, "/deployments/quarkus-run.jar");
            command.add(1, "-Dquarkus.http.port=" + port);
            command.add(1, "-Dkafka.bootstrap.servers=127.0.0.1:1");
            command.add(1, "-Dkshift.proxy.mesh-http-port=" + freePort());
            Process p = root.start(command);
            try {
                int status = retry(() -> {
                    var c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/q/health/live").toURL()
                            .openConnection();
                    return c.getResponseCode();
                });
                assertThat(status).isEqualTo(200);
                // The mesh listener binds with SO_REUSEPORT on Netty's epoll transport, which the image must load.
                String log = retry(() -> {
                    String text = Files.readString(root.log());
                    if (!text.contains("(mesh)")) {
                        throw new IOException("the mesh listener is not bound yet");
                    }
                    return text;
                });
                assertThat(log).contains("native transport true");
            } finally {
                p.destroy();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private interface Attempt<T> {
        T run() throws IOException;
    }

    private static <T> T retry(Attempt<T> attempt) throws Exception {
        IOException last = null;
        for (int i = 0; i < 120; i++) {
            try {
                return attempt.run();
            } catch (IOException e) {
                last = e;
                Thread.sleep(500);
            }
        }
        throw last;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** An image's layers unpacked in order, with /proc mounted, ready to chroot into. */
    private static final class Rootfs implements AutoCloseable {
        final ImageTarball image;
        final Path dir;
        private boolean procMounted;

        private Rootfs(ImageTarball image, Path dir) {
            this.image = image;
            this.dir = dir;
        }

        static Rootfs unpack(String tarball) throws Exception {
            assumeFalse(Boolean.getBoolean("kshift.images.skip"), "images skipped (-Dkshift.images.skip=true)");
            assumeTrue("root".equals(System.getProperty("user.name")), "chroot needs root; the build is not root");
            Path tar = Repo.path(tarball);
            Rootfs root = new Rootfs(ImageTarball.read(tar), Files.createTempDirectory("kshift-image-"));
            Files.setPosixFilePermissions(root.dir, permissions(0755)); // the image's / (temp dirs are 0700)
            for (InputStream layer : root.image.layerStreams()) {
                root.extract(layer);
            }
            Files.createDirectories(root.dir.resolve("proc"));
            Process mount = new ProcessBuilder("mount", "-t", "proc", "proc", root.dir.resolve("proc").toString())
                    .redirectErrorStream(true).start();
            boolean mounted = mount.waitFor(10, TimeUnit.SECONDS) && mount.exitValue() == 0;
            if (!mounted) {
                root.close();
            }
            assumeTrue(mounted, "cannot mount /proc here: " + new String(mount.getInputStream().readAllBytes()));
            root.procMounted = true;
            return root;
        }

        private void extract(InputStream layer) throws IOException {
            try (var in = new TarArchiveInputStream(layer)) {
                TarArchiveEntry e;
                while ((e = in.getNextEntry()) != null) {
                    Path target = dir.resolve(e.getName()).normalize();
                    if (!target.startsWith(dir)) {
                        throw new IOException("layer entry outside the root: " + e.getName());
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.write(target, in.readAllBytes());
                    }
                    Files.setPosixFilePermissions(target, permissions(e.getMode()));
                    Files.setAttribute(target, "unix:uid", (int) e.getLongUserId());
                    Files.setAttribute(target, "unix:gid", (int) e.getLongGroupId());
                }
            }
        }

        Path log() {
            return Repo.path("deploy/checks/target/" + dir.getFileName() + ".log");
        }

        Process start(List<String> command) throws IOException {
            List<String> chroot = new ArrayList<>(List.of("chroot", "--userspec=" + image.config().path("User")
                    .asText() + ":" + image.config().path("User").asText(), dir.toString()));
            chroot.addAll(command);
            ProcessBuilder pb = new ProcessBuilder(chroot).redirectErrorStream(true)
                    .redirectOutput(log().toFile());
            pb.environment().clear();
            image.config().path("Env").forEach(e -> {
                String[] kv = e.asText().split("=", 2);
                pb.environment().put(kv[0], kv[1]);
            });
            return pb.start();
        }

        private static Set<PosixFilePermission> permissions(int mode) {
            Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
            PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
            for (int i = 0; i < 9; i++) {
                if ((mode & (1 << (8 - i))) != 0) {
                    out.add(bits[i]);
                }
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            if (procMounted) {
                Process umount = new ProcessBuilder("umount", "-l", dir.resolve("proc").toString()).start();
                if (!umount.waitFor(10, TimeUnit.SECONDS) || umount.exitValue() != 0) {
                    return; // never walk into a mounted /proc: leave the directory rather than delete through it
                }
            }
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
