package io.kshift.model.codec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.yaml.snakeyaml.LoaderOptions;

/** The JSON and YAML mappers every service uses, configured once. Thread-safe after construction. */
public final class Codecs {
    /** Nesting deeper than this is refused: real mesh config is a dozen levels deep, a YAML bomb is not. */
    public static final int MAX_NESTING_DEPTH = 64;

    private static final ObjectMapper JSON = configure(new ObjectMapper(jsonFactory()));
    private static final ObjectMapper YAML = yamlMapper();

    private Codecs() {
    }

    public static ObjectMapper json() {
        return JSON;
    }

    public static ObjectMapper yaml() {
        return YAML;
    }

    private static com.fasterxml.jackson.core.JsonFactory jsonFactory() {
        return com.fasterxml.jackson.core.JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                .build();
    }

    /**
     * Empty lists and maps are left out of what users read back, as kubectl shows objects; an empty string is not,
     * as a field or as a map's value: it can mean something ({@code group: ""}, the core API group; a label or a
     * selector's {@code key: ""}) and what is left out reads back as null or as not there.
     */
    private static ObjectMapper yamlMapper() {
        ObjectMapper mapper = configure(new ObjectMapper(yamlFactory()))
                .setSerializationInclusion(JsonInclude.Include.NON_EMPTY);
        mapper.configOverride(String.class).setInclude(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL,
                JsonInclude.Include.NON_NULL));
        mapper.configOverride(java.util.Map.class).setInclude(JsonInclude.Value.construct(
                JsonInclude.Include.NON_EMPTY, JsonInclude.Include.CUSTOM, null, EmptyButNotString.class));
        return mapper;
    }

    /** A map value left out: null, or an empty list or map (an empty string stays). Jackson's CUSTOM filter. */
    static final class EmptyButNotString {
        @Override
        public boolean equals(Object value) {
            return value == null || value instanceof java.util.Collection<?> c && c.isEmpty()
                    || value instanceof java.util.Map<?, ?> m && m.isEmpty();
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    private static YAMLFactory yamlFactory() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setNestingDepthLimit(MAX_NESTING_DEPTH);
        options.setAllowDuplicateKeys(false);
        return YAMLFactory.builder()
                .loaderOptions(options)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .build();
    }

    private static ObjectMapper configure(ObjectMapper mapper) {
        mapper.coercionConfigFor(com.fasterxml.jackson.databind.type.LogicalType.Textual).setCoercion(
                com.fasterxml.jackson.databind.cfg.CoercionInputShape.Float,
                com.fasterxml.jackson.databind.cfg.CoercionAction.Fail);
        return mapper.registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                // A fraction is never cut to a whole number (weight: 99.5 read as 99 gave its share to no one),
                // and a float is never read as text (a label 1.10 would be "1.1"): both are errors, as in kubectl.
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    }
}
