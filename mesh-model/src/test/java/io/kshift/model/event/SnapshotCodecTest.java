package io.kshift.model.event;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kshift.model.ScaleFixtures;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Resource;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The snapshot writer's and readers' reuse of unchanged resources, and that it never changes what is read. */
class SnapshotCodecTest {
    private static MeshSnapshot snapshot(long generation, MeshConfig config) {
        return new MeshSnapshot(Schemas.MESH_SNAPSHOT, generation, "change-" + generation,
                Instant.parse("2026-12-01T10:00:00Z").plusSeconds(generation), config.all());
    }

    @Test
    void theEncoderWritesExactlyWhatTheCodecWritesAndReusesUnchangedResources() {
        SnapshotEncoder encoder = new SnapshotEncoder();
        MeshConfig config = MeshConfig.of(ScaleFixtures.services(30));
        MeshSnapshot first = snapshot(1, config);
        assertThat(encoder.encode(first)).isEqualTo(EventCodec.encode(first));
        assertThat(encoder.serialised()).isEqualTo(config.size());
        MeshConfig changed = config.apply(ScaleFixtures.parse(ScaleFixtures.virtualService(7, 50))).config();
        MeshSnapshot second = snapshot(2, changed);
        assertThat(encoder.encode(second)).isEqualTo(EventCodec.encode(second));
        assertThat(encoder.serialised()).as("only the changed resource").isEqualTo(config.size() + 1);
        // Deleted and added around it: still only what is new.
        MeshConfig reshaped = changed.delete(ScaleFixtures.service(3, 90, "127.0.0.1")).config()
                .apply(ScaleFixtures.service(99, 10, "127.0.0.1")).config();
        long before = encoder.serialised();
        MeshSnapshot third = snapshot(3, reshaped);
        assertThat(encoder.size(third)).isEqualTo(EventCodec.encode(third).getBytes(UTF_8).length);
        assertThat(encoder.encode(third)).isEqualTo(EventCodec.encode(third));
        assertThat(encoder.serialised() - before).isEqualTo(ScaleFixtures.service(99, 10, "127.0.0.1").size());
        // Out of key order, and one resource twice: still exactly the codec's bytes (only less is reused).
        List<io.kshift.model.resource.Resource> reversed = new java.util.ArrayList<>(reshaped.all());
        java.util.Collections.reverse(reversed);
        reversed.add(reversed.get(3));
        MeshSnapshot odd = new MeshSnapshot(Schemas.MESH_SNAPSHOT, 4, "change-4", Instant.EPOCH, reversed);
        assertThat(encoder.encode(odd)).isEqualTo(EventCodec.encode(odd));
        assertThat(encoder.encode(third)).isEqualTo(EventCodec.encode(third));
        assertThat(encoder.encode(snapshot(3, MeshConfig.empty()))).isEqualTo(EventCodec.encode(snapshot(3,
                MeshConfig.empty())));
    }

    @Test
    void theBytesAreTheCodecsTextInUtf8WhateverCameBefore() {
        SnapshotEncoder encoder = new SnapshotEncoder();
        MeshConfig big = MeshConfig.of(ScaleFixtures.services(400));
        MeshSnapshot large = snapshot(1, big);
        assertThat(encoder.size(large)).isEqualTo(EventCodec.encode(large).getBytes(UTF_8).length);
        assertThat(encoder.size(snapshot(9, MeshConfig.empty()))).isEqualTo(EventCodec.encode(snapshot(9,
                MeshConfig.empty())).getBytes(UTF_8).length);
        assertThat(encoder.encodeUtf8(large)).isEqualTo(EventCodec.encode(large).getBytes(UTF_8));
        // Smaller after larger (the buffer is reused), and text beyond ASCII and beyond the BMP (Jackson's byte
        // writer would escape the emoji).
        MeshConfig accented = MeshConfig.of(ScaleFixtures.services(2)).apply(ScaleFixtures.parse("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: café-route, namespace: default, annotations: {note: "naïve — 日本 \uD83D\uDE00"}}
                spec:
                  hosts: [svc-0]
                  http:
                  - route:
                    - destination: {host: svc-0, subset: v1}
                """)).config();
        MeshSnapshot small = snapshot(2, accented);
        int size = encoder.size(small);
        byte[] bytes = encoder.encodeUtf8(small);
        assertThat(size).as("the size, without assembling the bytes").isEqualTo(bytes.length);
        assertThat(bytes).isEqualTo(EventCodec.encode(small).getBytes(UTF_8));
        assertThat(new String(bytes, UTF_8)).contains("naïve — 日本 \uD83D\uDE00");
    }

    @Test
    void theDecoderReadsWhatWasWrittenAndKeepsUnchangedResourcesAsTheSameObjects() {
        SnapshotDecoder decoder = new SnapshotDecoder();
        MeshConfig config = MeshConfig.of(ScaleFixtures.services(30));
        MeshSnapshot one = decoder.decode(EventCodec.encode(snapshot(1, config)));
        assertThat(one).isEqualTo(snapshot(1, config));

        // One resource changed in place: everything else is the previous object, the changed one is new.
        MeshConfig changed = config.apply(ScaleFixtures.parse(ScaleFixtures.virtualService(7, 50))).config();
        MeshSnapshot two = decoder.decode(EventCodec.encode(snapshot(2, changed)));
        assertThat(two).isEqualTo(snapshot(2, changed));
        assertThat(decoder.reused()).isEqualTo(149);
        assertSameExcept(one.resources(), two.resources(), "svc-7", "VirtualService");

        // Resources added in the middle move the others: found by their text all the same.
        MeshConfig grown = changed.apply(ScaleFixtures.service(100, 90, "127.0.0.1")).config();
        MeshSnapshot three = decoder.decode(EventCodec.encode(snapshot(3, grown)));
        assertThat(three).isEqualTo(snapshot(3, grown));
        assertThat(decoder.reused()).isEqualTo(150);
        assertThat(three.resources()).filteredOn(r -> !r.name().startsWith("svc-100"))
                .allSatisfy(r -> assertThat(two.resources()).anySatisfy(p -> assertThat(p).isSameAs(r)));
    }

    @Test
    void anyOtherLayoutIsReadThroughTheTokenizerWithTheSameResult() throws Exception {
        MeshSnapshot s = snapshot(4, MeshConfig.of(ScaleFixtures.services(3)));
        String pretty = io.kshift.model.codec.Codecs.json().writerWithDefaultPrettyPrinter().writeValueAsString(s);
        String resourcesFirst = "{\"resources\":" + io.kshift.model.codec.Codecs.json().writeValueAsString(
                s.resources()) + ",\"generation\":4,\"changeId\":\"change-4\",\"createdAt\":\"" + s.createdAt() + "\"}";
        assertThat(new SnapshotDecoder().decode(pretty)).isEqualTo(s);
        assertThat(new SnapshotDecoder().decode(resourcesFirst)).isEqualTo(s);
    }

    @Test
    void anUnreadableSnapshotIsRefusedAndTheNextOneStillDecodes() {
        SnapshotDecoder decoder = new SnapshotDecoder();
        assertThatThrownBy(() -> decoder.decode("{\"generation\":1,\"resources\":[{\"kind\":\"Nope\"}]}"))
                .hasMessageContaining("not a MeshSnapshot");
        MeshSnapshot ok = snapshot(5, MeshConfig.of(ScaleFixtures.services(2)));
        assertThat(decoder.decode(EventCodec.encode(ok))).isEqualTo(ok);
    }

    private static void assertSameExcept(List<Resource> before, List<Resource> after, String name, String kind) {
        assertThat(after).hasSameSizeAs(before);
        for (int i = 0; i < after.size(); i++) {
            Resource a = after.get(i);
            if (a.name().equals(name) && a.kind().equals(kind)) {
                assertThat(a).isNotSameAs(before.get(i));
            } else {
                assertThat(a).as(a.key().toString()).isSameAs(before.get(i));
            }
        }
    }
}
