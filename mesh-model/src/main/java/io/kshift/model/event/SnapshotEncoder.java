package io.kshift.model.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kshift.model.codec.Codecs;
import io.kshift.model.resource.Resource;
import java.io.UncheckedIOException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Encodes the {@link MeshSnapshot}s one writer publishes, one after the other, to exactly the JSON
 * {@link EventCodec#encode} gives. A change replaces a few resources of thousands and the rest are the same objects
 * as in the previous snapshot, so each resource's JSON is kept by identity and only new resources are serialised:
 * a snapshot of 10,000 resources costs a string join, not 10,000 encodes. {@link SnapshotDecoder} is the other side.
 * Not thread-safe: one encoder per writer.
 */
public final class SnapshotEncoder {
    private Map<Resource, String> previous = new IdentityHashMap<>();

    public String encode(MeshSnapshot snapshot) {
        Map<Resource, String> texts = new IdentityHashMap<>(snapshot.resources().size() * 4 / 3 + 1);
        StringBuilder resources = new StringBuilder(64 * 1024);
        for (Resource r : snapshot.resources()) {
            String text = previous.get(r);
            if (text == null) {
                text = json(r);
            }
            texts.put(r, text);
            resources.append(resources.isEmpty() ? "" : ",").append(text);
        }
        previous = texts;
        // The header is encoded by the codec itself (field order, instant format), with the resources spliced in.
        String header = EventCodec.encode(new MeshSnapshot(snapshot.schema(), snapshot.generation(),
                snapshot.changeId(), snapshot.createdAt(), snapshot.status(), java.util.List.of()));
        String empty = "\"resources\":[]";
        int at = header.lastIndexOf(empty);
        if (at < 0) {
            throw new IllegalStateException("unexpected snapshot encoding: " + header);
        }
        return header.substring(0, at) + "\"resources\":[" + resources + "]" + header.substring(at + empty.length());
    }

    private static String json(Resource r) {
        try {
            return Codecs.json().writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
