package io.kshift.model.codec;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.RecordComponent;

/**
 * The name a record component has in YAML and JSON: its own, or the one {@code @JsonProperty} gives it where the
 * upstream name is a Java keyword (Gateway API's {@code default}).
 */
public final class JsonNames {
    private JsonNames() {
    }

    public static String of(RecordComponent component) {
        try {
            JsonProperty p = component.getDeclaringRecord().getDeclaredField(component.getName())
                    .getAnnotation(JsonProperty.class);
            return p == null || p.value().isEmpty() ? component.getName() : p.value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("a record component without its field: " + component, e);
        }
    }
}
