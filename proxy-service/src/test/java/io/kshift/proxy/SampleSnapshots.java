package io.kshift.proxy;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.testkit.Bus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

/** The task's sample files with test ports in place of 31400/9001/9002, published as one snapshot. */
public record SampleSnapshots(int gatewayPort, int v1Port, int v2Port) {

    /** Sample files by name, or YAML text given inline (anything containing a newline), applied in order. */
    public MeshSnapshot snapshot(long generation, String... filesOrYaml) {
        MeshConfig config = MeshConfig.empty();
        for (String f : filesOrYaml) {
            try {
                String yaml = (f.contains("\n") ? f : Files.readString(Path.of("..", "samples", "tcp-echo", f)))
                        .replace("31400", String.valueOf(gatewayPort))
                        .replace("tcp: 9001", "tcp: " + v1Port).replace("tcp: 9002", "tcp: " + v2Port);
                var parsed = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
                if (!parsed.ok()) {
                    throw new IllegalStateException(f + ": " + parsed.errors());
                }
                config = config.apply(parsed.resources()).config();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (io.kshift.model.codec.BodySyntaxException e) {
                throw new IllegalStateException(f, e);
            }
        }
        return new MeshSnapshot(null, generation, UUID.randomUUID().toString(), Instant.now(), config.all());
    }

    public void publish(long generation, String... files) {
        Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, EventCodec.encode(snapshot(generation, files)));
    }
}
