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
        try {
            if (format == BodyFormat.JSON) {
                return Codecs.json().writerWithDefaultPrettyPrinter().writeValueAsString(resources);
            }
            StringBuilder out = new StringBuilder();
            for (Resource r : resources) {
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
}
