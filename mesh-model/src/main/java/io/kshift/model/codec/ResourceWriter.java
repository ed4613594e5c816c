package io.kshift.model.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kshift.model.resource.Resource;
import java.io.UncheckedIOException;
import java.util.List;

/** Writes resources as users read them back: YAML documents separated by {@code ---}, or a JSON array. */
public final class ResourceWriter {
    private ResourceWriter() {
    }

    public static String write(List<Resource> resources, BodyFormat format) {
        return writeAll(resources, format);
    }

    private static String writeAll(List<?> resources, BodyFormat format) {
        try {
            if (format == BodyFormat.JSON) {
                return Codecs.json().writerWithDefaultPrettyPrinter().writeValueAsString(resources);
            }
            StringBuilder out = new StringBuilder();
            for (Object r : resources) {
                out.append("---\n").append(Codecs.yaml().writeValueAsString(r));
            }
            return out.toString();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String write(Resource resource, BodyFormat format) {
        try {
            return format == BodyFormat.JSON
                    ? Codecs.json().writerWithDefaultPrettyPrinter().writeValueAsString(resource)
                    : Codecs.yaml().writeValueAsString(resource);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A resource as {@code GET} shows it: with its {@code status} (when not null) after the spec, as Kubernetes shows
     * objects.
     */
    public static com.fasterxml.jackson.databind.node.ObjectNode shown(Resource resource, Object status) {
        // The YAML mapper's view (empty fields left out), as resources are shown without a status.
        com.fasterxml.jackson.databind.node.ObjectNode node = Codecs.yaml().valueToTree(resource);
        if (status != null) {
            node.set("status", Codecs.yaml().valueToTree(status));
        }
        return node;
    }

    /** Shown resources ({@link #shown}): YAML documents, or a JSON array. */
    public static String writeShown(List<com.fasterxml.jackson.databind.node.ObjectNode> resources,
                                    BodyFormat format) {
        return writeAll(resources, format);
    }
}
