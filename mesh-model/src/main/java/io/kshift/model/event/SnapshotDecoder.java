package io.kshift.model.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.kshift.model.codec.Codecs;
import io.kshift.model.resource.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the {@link MeshSnapshot}s one reader receives, one after the other. A change touches a few resources of
 * thousands, and the validator writes every resource the same way each time, so each resource's JSON text is
 * compared with the previous snapshot's: an identical one is the previous {@link Resource} object, only new or
 * changed text goes through the strict reader. Decoding a snapshot of 10,000 resources after a one-resource change
 * is then a scan of its text, not 10,000 decodes; and unchanged resources keep their identity, so comparing the
 * things built from them (virtual hosts, resolved destinations) mostly stops at {@code ==}. Not thread-safe: one
 * decoder per reader.
 */
public final class SnapshotDecoder {
    private static final String RESOURCES = "\"resources\":[";

    /** The previous snapshot's JSON, and where each of its resources' text lies in it, in order. */
    private String previousJson = "";
    private int[] previousStarts = new int[0];
    private int[] previousEnds = new int[0];
    private List<Resource> previousResources = List.of();
    private Map<String, Resource> previousByText;
    private int reused;

    public MeshSnapshot decode(String json) {
        try {
            MeshSnapshot fast = decodeOwnLayout(json);
            MeshSnapshot snapshot = fast != null ? fast : decodeAnyLayout(json);
            if (!snapshot.missingFields().isEmpty()) {
                throw new IOException("missing " + String.join(", ", snapshot.missingFields()));
            }
            return snapshot;
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException("not a MeshSnapshot: " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** How many resources the last decode took from the snapshot before it. */
    public int reused() {
        return reused;
    }

    /**
     * The layout the validator writes ({@link SnapshotEncoder}): the header fields, then {@code resources} last.
     * Resource boundaries are found by a brace scan and each resource's text is compared in place with the
     * previous snapshot's resource at the same position: no tokenizing, hashing or copying of unchanged text.
     * Returns null for any other layout.
     */
    private MeshSnapshot decodeOwnLayout(String json) throws IOException {
        // Header values are numbers and JSON strings (quotes escaped), so the first unescaped occurrence is the field.
        int array = json.indexOf(RESOURCES);
        if (array < 0) {
            return null;
        }
        List<Integer> starts = new ArrayList<>(previousStarts.length + 16);
        List<Integer> ends = new ArrayList<>(previousStarts.length + 16);
        int i = array + RESOURCES.length();
        if (json.charAt(i) != ']') {
            while (true) {
                if (json.charAt(i) != '{') {
                    return null;
                }
                int end = objectEnd(json, i);
                if (end < 0) {
                    return null;
                }
                starts.add(i);
                ends.add(end);
                char next = json.charAt(end);
                i = end + 1;
                if (next == ']') {
                    break;
                }
                if (next != ',') {
                    return null;
                }
            }
        } else {
            i++;
        }
        if (!json.substring(i).strip().equals("}")) {
            return null;
        }
        MeshSnapshot header;
        try {
            header = Codecs.json().readValue(json.substring(0, array) + "\"resources\":[]}", MeshSnapshot.class);
        } catch (IOException notTopLevel) {
            return null; // "resources" was nested in another field: not our layout
        }
        List<Resource> resources = new ArrayList<>(starts.size());
        int fromPrevious = 0;
        for (int n = 0; n < starts.size(); n++) {
            int start = starts.get(n);
            int length = ends.get(n) - start;
            Resource r = null;
            if (n < previousStarts.length && previousEnds[n] - previousStarts[n] == length
                    && json.regionMatches(start, previousJson, previousStarts[n], length)) {
                r = previousResources.get(n);
            } else {
                String text = json.substring(start, start + length);
                // As many resources as before: this one changed in place (the usual case), not moved.
                r = starts.size() == previousStarts.length ? null : byText().get(text);
                if (r == null) {
                    r = Codecs.json().readValue(text, Resource.class);
                    fromPrevious--;
                }
            }
            fromPrevious++;
            resources.add(r);
        }
        remember(json, starts, ends, resources, fromPrevious);
        return new MeshSnapshot(header.schema(), header.generation(), header.changeId(), header.createdAt(),
                header.status(), resources);
    }

    /** This snapshot is what the next one is compared with. */
    private void remember(String json, List<Integer> starts, List<Integer> ends, List<Resource> resources,
                          int fromPrevious) {
        previousJson = json;
        previousStarts = starts.stream().mapToInt(Integer::intValue).toArray();
        previousEnds = ends.stream().mapToInt(Integer::intValue).toArray();
        previousResources = resources;
        previousByText = null;
        reused = fromPrevious;
    }

    /** The previous snapshot's resources by their text, for resources that moved (built only when one did). */
    private Map<String, Resource> byText() {
        if (previousByText == null) {
            previousByText = new HashMap<>();
            for (int n = 0; n < previousStarts.length; n++) {
                previousByText.put(previousJson.substring(previousStarts[n], previousEnds[n]),
                        previousResources.get(n));
            }
        }
        return previousByText;
    }

    /** Where the JSON object starting at {@code start} ends (exclusive), or -1 if it does not. */
    static int objectEnd(String json, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return i + 1;
            }
        }
        return -1;
    }

    /** Any JSON layout of a snapshot, through the tokenizer; resources still reused by their text. */
    private MeshSnapshot decodeAnyLayout(String json) throws IOException {
        try (JsonParser p = Codecs.json().getFactory().createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            long generation = 0;
            String changeId = null;
            Instant createdAt = null;
            List<Resource> resources = List.of();
            java.util.Map<String, List<io.kshift.model.status.StatusNote>> status = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "generation" -> generation = p.getLongValue();
                    case "changeId" -> changeId = value == JsonToken.VALUE_NULL ? null : p.getText();
                    case "createdAt" -> createdAt = value == JsonToken.VALUE_NULL ? null : Instant.parse(p.getText());
                    case "resources" -> resources = resources(p, json);
                    case "status" -> status = value == JsonToken.VALUE_NULL ? null : Codecs.json().readValue(p,
                            new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String,
                                    List<io.kshift.model.status.StatusNote>>>() { });
                    default -> p.skipChildren();
                }
            }
            return new MeshSnapshot(Schemas.MESH_SNAPSHOT, generation, changeId, createdAt, status, resources);
        }
    }

    private List<Resource> resources(JsonParser p, String json) throws IOException {
        expect(p.currentToken(), JsonToken.START_ARRAY);
        List<Resource> out = new ArrayList<>(previousResources.size());
        List<Integer> starts = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        int fromPrevious = 0;
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String text = objectText(p, json);
            int end = (int) p.currentTokenLocation().getCharOffset() + 1;
            int start = end - text.length();
            Resource r = byText().get(text);
            if (r == null) {
                r = Codecs.json().readValue(text, Resource.class);
            } else {
                fromPrevious++;
            }
            starts.add(start);
            ends.add(end);
            out.add(r);
        }
        expect(p.currentToken(), JsonToken.END_ARRAY);
        remember(json, starts, ends, out, fromPrevious);
        return out;
    }

    /**
     * The text of the JSON object the parser stands at (its {@code START_OBJECT}); the parser is left at its
     * {@code END_OBJECT}. Offsets are chars: the parser reads {@code json}, a String.
     */
    static String objectText(JsonParser p, String json) throws IOException {
        int start = (int) p.currentTokenLocation().getCharOffset();
        p.skipChildren();
        return json.substring(start, (int) p.currentTokenLocation().getCharOffset() + 1);
    }

    private static void expect(JsonToken actual, JsonToken wanted) throws IOException {
        if (actual != wanted) {
            throw new IOException("expected " + wanted + ", found " + actual);
        }
    }
}
