package io.kshift.model.codec;

import java.util.Locale;
import java.util.Optional;

/** The two body formats kshift reads and writes, chosen by media type as kubectl users expect. */
public enum BodyFormat {
    JSON, YAML;

    public static Optional<BodyFormat> fromMediaType(String mediaType) {
        if (mediaType == null) {
            return Optional.empty();
        }
        String type = mediaType.toLowerCase(Locale.ROOT).split(";")[0].trim();
        return switch (type) {
            case "application/json" -> Optional.of(JSON);
            case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml" -> Optional.of(YAML);
            default -> Optional.empty();
        };
    }
}
