package io.kshift.model.codec;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.List;

/** Builds field paths in the form users see in kubectl errors: {@code spec.tcp[0].route[1].weight}. */
public final class FieldPath {
    private FieldPath() {
    }

    public static String of(String prefix, List<JsonMappingException.Reference> path) {
        StringBuilder sb = new StringBuilder(prefix);
        for (JsonMappingException.Reference ref : path) {
            if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            } else if (ref.getFieldName() != null) {
                append(sb, ref.getFieldName());
            }
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, String name) {
        if (!sb.isEmpty()) {
            sb.append('.');
        }
        sb.append(name);
    }
}
