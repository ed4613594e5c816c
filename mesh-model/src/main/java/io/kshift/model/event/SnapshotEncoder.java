package io.kshift.model.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kshift.model.codec.Codecs;
import io.kshift.model.resource.Resource;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the {@link MeshSnapshot}s one writer publishes, one after the other, to exactly the JSON
 * {@link EventCodec#encode} gives, as UTF-8. A change replaces a few resources of thousands and the rest are the
 * same objects as in the previous snapshot, so each resource's JSON is kept by identity and only new resources are
 * serialised: a snapshot of 10,000 resources costs a copy, not 10,000 encodes. Snapshots list resources in key
 * order (as {@link io.kshift.model.mesh.MeshConfig#all} gives them; each must have a key), so the previous one's
 * are matched by walking both lists side by side rather than through an identity map (at 20,000 resources its
 * lookups cost the validator ~7 ms per change, and its 512 KB table was a G1 humongous allocation each time). A list
 * out of key order still encodes exactly, but from its first resource out of order on little may be reused.
 * {@link SnapshotDecoder} is the other side. Not thread-safe: one encoder per writer.
 *
 * <p>The bytes are assembled in a buffer kept between snapshots and copied out once. Building a String of MBs
 * (a growing builder, its copy, the splice, then an encode per topic) left ~20 MB of large arrays per change in the
 * validator at 10,000 resources, and each such allocation could start a concurrent collection cycle.
 */
public final class SnapshotEncoder {
    private static final String EMPTY = "\"resources\":[]";
    /** The last snapshot's resources, in its order, and each one's JSON. */
    private java.util.List<Resource> previous = java.util.List.of();
    private java.util.List<byte[]> previousTexts = java.util.List.of();
    /** How many resources this encoder has serialised (the rest it reused). */
    private long serialised;
    private ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * 1024);
    /** The largest snapshot the buffer has held: its capacity, roughly. */
    private int largest;

    /** The snapshot's JSON as text (tests read it; writers publish {@link #encodeUtf8}). */
    public String encode(MeshSnapshot snapshot) {
        return new String(encodeUtf8(snapshot), StandardCharsets.UTF_8);
    }

    /**
     * The length of {@link #encodeUtf8}'s answer, without assembling it: a writer that sends a snapshot only now and
     * then (as a checkpoint) still checks every one's size, and at 20,000 resources assembling one was a 6.5 MB array
     * per change.
     */
    public int size(MeshSnapshot snapshot) {
        Parts parts = parts(snapshot);
        long bytes = parts.head().length + parts.tail().length + Math.max(0, parts.texts().size() - 1);
        for (byte[] text : parts.texts()) {
            bytes += text.length;
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }

    /** The snapshot's JSON as UTF-8: the bytes a record on the bus carries. */
    public byte[] encodeUtf8(MeshSnapshot snapshot) {
        Parts parts = parts(snapshot);
        buffer.reset();
        buffer.writeBytes(parts.head());
        boolean first = true;
        for (byte[] text : parts.texts()) {
            if (!first) {
                buffer.write(',');
            }
            buffer.writeBytes(text);
            first = false;
        }
        buffer.writeBytes(parts.tail());
        byte[] out = buffer.toByteArray();
        largest = Math.max(largest, out.length);
        if (largest > 1 << 20 && largest > 4L * out.length) {
            // A big config was shrunk (or a refused one was near the limit): do not keep its buffer for ever.
            buffer = new ByteArrayOutputStream(Math.max(64 * 1024, out.length * 2));
            largest = out.length;
        }
        return out;
    }

    /** How many resources were serialised so far: what was not reused from the snapshot before. */
    long serialised() {
        return serialised;
    }

    /** What a snapshot's JSON is made of: before the resources, each resource's JSON, after them. */
    private record Parts(byte[] head, java.util.List<byte[]> texts, byte[] tail) {
    }

    /** The parts of {@code snapshot}; each resource's JSON is kept for the next snapshot, by identity. */
    private Parts parts(MeshSnapshot snapshot) {
        // The header is encoded by the codec itself (field order, instant format), with the resources spliced in.
        String header = EventCodec.encode(new MeshSnapshot(snapshot.schema(), snapshot.generation(),
                snapshot.changeId(), snapshot.createdAt(), snapshot.status(), java.util.List.of()));
        int at = header.lastIndexOf(EMPTY);
        if (at < 0) {
            throw new IllegalStateException("unexpected snapshot encoding: " + header);
        }
        java.util.List<Resource> resources = snapshot.resources();
        java.util.List<byte[]> ordered = new java.util.ArrayList<>(resources.size());
        int j = 0;
        for (Resource r : resources) {
            // Skip the previous snapshot's resources that sort before this one (deleted, or replaced).
            io.kshift.model.resource.ResourceKey key = null;
            while (j < previous.size() && previous.get(j) != r) {
                key = key == null ? r.key() : key;
                if (previous.get(j).key().compareTo(key) >= 0) {
                    break;
                }
                j++;
            }
            if (j < previous.size() && previous.get(j) == r) {
                ordered.add(previousTexts.get(j++));
            } else {
                ordered.add(json(r));
                serialised++;
            }
        }
        previous = resources;
        previousTexts = ordered;
        return new Parts(utf8(header.substring(0, at) + "\"resources\":["), ordered,
                utf8("]" + header.substring(at + EMPTY.length())));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Through a String, not {@code writeValueAsBytes}: Jackson's byte writer escapes characters beyond the BMP
     * (as an escaped surrogate pair) where its text writer keeps them, and the bytes must be the codec's text in UTF-8.
     */
    private static byte[] json(Resource r) {
        try {
            return Codecs.json().writeValueAsString(r).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
