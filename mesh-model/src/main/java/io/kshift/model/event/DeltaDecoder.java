package io.kshift.model.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.kshift.model.codec.Codecs;
import io.kshift.model.resource.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the {@link SnapshotDelta}s one reader receives, one after the other, as {@link EventCodec#decode} does,
 * but an upsert whose JSON text equals one of the previous delta's upserts is that delta's {@link Resource} object.
 * Deltas are cumulative: every change after a 100-resource batch carries those 100 resources again until the next
 * checkpoint, and decoding them each time was half of what a proxy allocated per one-weight change (1.45 MB at
 * 10,000 resources). Not thread-safe: one decoder per reader.
 */
public final class DeltaDecoder {
    private static final String UPSERTS = "upserts";

    /** The previous delta's upserts by their text. */
    private Map<String, Resource> previous = Map.of();
    private int reused;

    public SnapshotDelta decode(String json) {
        Read read;
        try {
            read = read(json);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException("not a SnapshotDelta: " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
        if (!read.delta().missingFields().isEmpty()) {
            throw new IllegalArgumentException("not a SnapshotDelta: missing "
                    + String.join(", ", read.delta().missingFields()));
        }
        previous = read.byText(); // a refused record leaves what the last good one carried
        reused = read.reused();
        return read.delta();
    }

    /** How many upserts the last decode took from the delta before it. */
    public int reused() {
        return reused;
    }

    private record Read(SnapshotDelta delta, Map<String, Resource> byText, int reused) {
    }

    private Read read(String json) throws IOException {
        List<Resource> upserts = null;
        Map<String, Resource> byText = new HashMap<>();
        int fromPrevious = 0;
        int arrayStart = -1;
        int arrayEnd = -1;
        try (JsonParser p = Codecs.json().getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("expected an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (!field.equals(UPSERTS)) {
                    p.skipChildren();
                    continue;
                }
                if (arrayStart >= 0 || upserts != null) {
                    throw new IOException("upserts given twice");
                }
                if (value != JsonToken.START_ARRAY) {
                    upserts = List.of(); // null, or not a list: the codec below says which
                    p.skipChildren();
                    continue;
                }
                arrayStart = (int) p.currentTokenLocation().getCharOffset();
                upserts = new ArrayList<>();
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    String text = SnapshotDecoder.objectText(p, json);
                    Resource r = previous.get(text);
                    if (r == null) {
                        r = Codecs.json().readValue(text, Resource.class);
                    } else {
                        fromPrevious++;
                    }
                    byText.put(text, r);
                    upserts.add(r);
                }
                if (p.currentToken() != JsonToken.END_ARRAY) {
                    throw new IOException("upserts: expected resources, found " + p.currentToken());
                }
                arrayEnd = (int) p.currentTokenLocation().getCharOffset() + 1;
            }
        }
        if (arrayStart < 0) {
            return new Read(Codecs.json().readValue(json, SnapshotDelta.class), byText, 0);
        }
        // Everything but the upserts' elements goes through the codec as written, so it reads as EventCodec reads it.
        SnapshotDelta header = Codecs.json().readValue(json.substring(0, arrayStart) + "[]"
                + json.substring(arrayEnd), SnapshotDelta.class);
        return new Read(new SnapshotDelta(header.schema(), header.base(), header.generation(), header.changeId(),
                header.createdAt(), header.resources(), header.status(), upserts, header.deletes()), byText,
                fromPrevious);
    }
}
