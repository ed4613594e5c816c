package io.kshift.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The files a JVM expects in a root filesystem: who the users are, name lookup order, {@code /tmp}, CA roots. */
final class RootFiles {
    private RootFiles() {
    }

    static Path write(Path root) throws IOException {
        Path etc = Files.createDirectories(root.resolve("etc"));
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/sbin/nologin\n"
                + "kshift:x:" + BaseImage.USER + ":" + BaseImage.USER + ":kshift:/home/kshift:/sbin/nologin\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\nkshift:x:" + BaseImage.USER + ":\n");
        Files.writeString(etc.resolve("nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files dns\n");
        Path certs = Path.of("/etc/ssl/certs/ca-certificates.crt");
        if (Files.isReadable(certs)) {
            Files.createDirectories(etc.resolve("ssl/certs"));
            Files.copy(certs, etc.resolve("ssl/certs/ca-certificates.crt"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Files.createDirectories(root.resolve("tmp"));
        Files.createDirectories(root.resolve("home/kshift"));
        return root;
    }

    static List<Path> children(Path root) throws IOException {
        try (Stream<Path> list = Files.list(root)) {
            return list.sorted().toList();
        }
    }
}
