package io.kshift.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;

/** The repository's sample files, with a fleet's ports in place of the defaults they are written with. */
final class Samples {
    private Samples() {
    }

    /** {@code dir}/{@code file} under the repository, each key of {@code ports} replaced by its value. */
    static byte[] read(FleetLayout layout, String dir, String file, Map<String, String> ports) {
        try {
            String yaml = Files.readString(layout.repo().resolve(dir).resolve(file));
            for (Map.Entry<String, String> p : ports.entrySet()) {
                yaml = yaml.replace(p.getKey(), p.getValue());
            }
            return yaml.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
