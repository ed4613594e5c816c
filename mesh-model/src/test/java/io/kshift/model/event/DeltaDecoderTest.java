package io.kshift.model.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kshift.model.ScaleFixtures;
import io.kshift.model.codec.Codecs;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Resource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeltaDecoderTest {
    final MeshConfig checkpoint = MeshConfig.of(ScaleFixtures.services(20));

    /** The cumulative delta from the checkpoint (generation 1) to {@code config}: the named services' resources. */
    private static SnapshotDelta since(long generation, MeshConfig config, List<String> services) {
        MeshSnapshot at = SnapshotDeltaTest.snapshot(generation, config);
        List<Resource> upserts = config.all().stream()
                .filter(r -> services.stream().anyMatch(s -> r.name().startsWith(s + "-") || r.name().equals(s)))
                .toList();
        return new SnapshotDelta(null, 1, generation, at.changeId(), at.createdAt(), config.size(), Map.of(), upserts,
                List.of());
    }

    @Test
    void aDeltaDecodesAsTheCodecDecodesIt() {
        MeshConfig next = checkpoint.apply(ScaleFixtures.service(3, 20, "127.0.0.2")).config();
        SnapshotDelta delta = since(2, next, List.of("svc-3"));
        String json = EventCodec.encode(delta);

        assertThat(new DeltaDecoder().decode(json)).isEqualTo(EventCodec.decode(json, SnapshotDelta.class))
                .isEqualTo(delta);
    }

    @Test
    void upsertsTheDeltaBeforeCarriedAreItsObjectsAndOnlyChangedTextIsDecoded() {
        DeltaDecoder decoder = new DeltaDecoder();
        MeshConfig two = checkpoint.apply(ScaleFixtures.service(3, 20, "127.0.0.2")).config()
                .apply(ScaleFixtures.service(5, 30, "127.0.0.2")).config();
        SnapshotDelta first = decoder.decode(EventCodec.encode(since(2, two, List.of("svc-3", "svc-5"))));
        assertThat(decoder.reused()).isZero();

        // The next change reweights svc-3's route: the delta carries svc-5's resources again, unchanged.
        MeshConfig three = two.apply(ScaleFixtures.parse(ScaleFixtures.virtualService(3, 70))).config();
        SnapshotDelta expected = since(3, three, List.of("svc-3", "svc-5"));
        SnapshotDelta second = decoder.decode(EventCodec.encode(expected));

        assertThat(second).isEqualTo(expected);
        assertThat(second.upserts()).hasSameSizeAs(first.upserts());
        assertThat(decoder.reused()).isEqualTo(first.upserts().size() - 1);
        for (Resource r : second.upserts()) {
            boolean changed = r.name().startsWith("svc-3") && r.kind().equals("VirtualService");
            assertThat(first.upserts().stream().anyMatch(p -> p == r)).as(r.name() + " " + r.kind())
                    .isEqualTo(!changed);
        }
    }

    @Test
    void whatTheCodecRefusesIsRefusedAndTheDecoderGoesOnFromTheLastGoodDelta() throws Exception {
        DeltaDecoder decoder = new DeltaDecoder();
        MeshConfig next = checkpoint.apply(ScaleFixtures.service(3, 20, "127.0.0.2")).config();
        String good = EventCodec.encode(since(2, next, List.of("svc-3")));
        SnapshotDelta first = decoder.decode(good);

        assertThatThrownBy(() -> decoder.decode(good.replace("\"kind\":\"VirtualService\"", "\"kind\":\"Nope\"")))
                .hasMessageContaining("not a SnapshotDelta");
        assertThatThrownBy(() -> decoder.decode(good.replace("\"base\":1,", "\"base\":7,")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing base");
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) Codecs.json().readTree(good);
        tree.put("surprise", 1);
        assertThat(refuses(decoder, tree.toString())).isEqualTo(refuses(null, tree.toString()));
        assertThatThrownBy(() -> decoder.decode("[]")).hasMessageContaining("not a SnapshotDelta");

        // A refused record with other upserts leaves the decoder on the last good delta's.
        MeshConfig other = next.apply(ScaleFixtures.service(7, 20, "127.0.0.2")).config();
        assertThatThrownBy(() -> decoder.decode(EventCodec.encode(since(2, other, List.of("svc-7")))
                .replace("\"base\":1,", "\"base\":7,"))).hasMessageContaining("missing base");
        assertThatThrownBy(() -> decoder.decode("null")).hasMessageContaining("not a SnapshotDelta");
        assertThatThrownBy(() -> decoder.decode(good.replace("\"deletes\":", "\"upserts\":[],\"deletes\":")))
                .hasMessageContaining("upserts given twice");

        SnapshotDelta again = decoder.decode(good);
        assertThat(decoder.reused()).isEqualTo(first.upserts().size());
        assertThat(again).isEqualTo(first);
    }

    @Test
    void upsertsAbsentOrNullReadAsTheCodecReadsThem() {
        DeltaDecoder decoder = new DeltaDecoder();
        MeshConfig next = checkpoint.apply(ScaleFixtures.service(3, 20, "127.0.0.2")).config();
        String good = EventCodec.encode(since(2, next, List.of("svc-3")));
        decoder.decode(good);
        for (String json : List.of(good.replaceAll("\"upserts\":\\[.*\\],\"deletes\"", "\"upserts\":null,\"deletes\""),
                good.replaceAll("\"upserts\":\\[.*\\],\"deletes\"", "\"deletes\""))) {
            assertThat(json).doesNotContain("VirtualService");
            assertThat(refuses(decoder, json)).isEqualTo(refuses(null, json));
            assertThat(decoder.decode(json)).isEqualTo(EventCodec.decode(json, SnapshotDelta.class));
            assertThat(decoder.decode(json).upserts()).isEmpty();
        }
        decoder.decode(good);
        assertThat(decoder.reused()).as("nothing carried by the deltas without upserts").isZero();
    }

    /** Offsets are in chars: text before the upserts outside ASCII, and more than the parser's 4,000-char reads. */
    @Test
    void aLongDeltaAfterTextOutsideAsciiIsCutAtTheRightPlaces() {
        MeshConfig big = MeshConfig.of(ScaleFixtures.services(60));
        SnapshotDelta plain = since(2, big, java.util.stream.IntStream.range(0, 60).mapToObj(i -> "svc-" + i).toList());
        SnapshotDelta delta = new SnapshotDelta(null, plain.base(), plain.generation(), "naïve — 日本 \uD83D\uDE00",
                plain.createdAt(), plain.resources(), Map.of(), plain.upserts(), List.of());
        String json = EventCodec.encode(delta);
        assertThat(json.length()).isGreaterThan(40_000);

        DeltaDecoder decoder = new DeltaDecoder();
        SnapshotDelta first = decoder.decode(json);
        assertThat(first).isEqualTo(delta).isEqualTo(EventCodec.decode(json, SnapshotDelta.class));
        SnapshotDelta second = decoder.decode(json);
        assertThat(decoder.reused()).isEqualTo(300);
        for (int i = 0; i < second.upserts().size(); i++) {
            assertThat(second.upserts().get(i)).isSameAs(first.upserts().get(i));
        }
    }

    /** Whether {@code decoder} (null: the codec) refuses {@code json}. */
    private static boolean refuses(DeltaDecoder decoder, String json) {
        try {
            if (decoder == null) {
                EventCodec.decode(json, SnapshotDelta.class);
            } else {
                decoder.decode(json);
            }
            return false;
        } catch (RuntimeException e) {
            return true;
        }
    }
}
