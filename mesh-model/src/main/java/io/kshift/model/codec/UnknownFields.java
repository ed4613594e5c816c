package io.kshift.model.codec;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Finds every field of a document that the target record type does not declare, with its full path
 * ({@code spec.tcp[0].route[0].wieght}). A walk over the tree and the record components, so all unknown fields
 * are reported at once and paths do not depend on how Jackson buffers creator properties.
 */
final class UnknownFields {
    /**
     * Each record type's components by name. Reflection per object node (the components copied, their generic
     * signatures parsed again) was a tenth of parsing a 900-resource body.
     */
    private static final ClassValue<Map<String, Type>> COMPONENTS = new ClassValue<>() {
        @Override
        protected Map<String, Type> computeValue(Class<?> c) {
            Map<String, Type> components = new java.util.HashMap<>();
            for (RecordComponent rc : c.getRecordComponents()) {
                components.put(JsonNames.of(rc), rc.getGenericType());
            }
            return Map.copyOf(components);
        }
    };

    private UnknownFields() {
    }

    /** A field the model does not take, and why: "unknown field", or the reason upstream's field is not served. */
    record Finding(String path, String message) {
    }

    static List<Finding> find(JsonNode node, Type type, String path) {
        List<Finding> out = new ArrayList<>();
        walk(node, type, path, out);
        return out;
    }

    private static void walk(JsonNode node, Type type, String path, List<Finding> out) {
        // A scalar has no fields of its own: nothing to find, and no path worth building.
        if (node == null || !node.isContainerNode()) {
            return;
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            if (List.class.isAssignableFrom(raw) && node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    if (node.get(i).isContainerNode()) {
                        walk(node.get(i), p.getActualTypeArguments()[0], path + "[" + i + "]", out);
                    }
                }
            } else if (Map.class.isAssignableFrom(raw) && node.isObject()) {
                Type value = p.getActualTypeArguments()[1];
                node.fields().forEachRemaining(e -> {
                    if (e.getValue().isContainerNode()) {
                        walk(e.getValue(), value, path + "." + e.getKey(), out);
                    }
                });
            }
            return;
        }
        if (type instanceof Class<?> c && c.isRecord() && node.isObject()) {
            Map<String, Type> components = COMPONENTS.get(c);
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Type declared = components.get(e.getKey());
                if (declared == null) {
                    out.add(new Finding(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), NotSupported
                            .reason(c, e.getKey()).map(why -> "not supported: " + why).orElse("unknown field")));
                } else if (e.getValue().isContainerNode()) {
                    walk(e.getValue(), declared, path.isEmpty() ? e.getKey() : path + "." + e.getKey(), out);
                }
            }
        }
    }
}
