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
    private UnknownFields() {
    }

    static List<String> find(JsonNode node, Type type, String path) {
        List<String> out = new ArrayList<>();
        walk(node, type, path, out);
        return out;
    }

    private static void walk(JsonNode node, Type type, String path, List<String> out) {
        if (node == null || node.isNull()) {
            return;
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            if (List.class.isAssignableFrom(raw) && node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    walk(node.get(i), p.getActualTypeArguments()[0], path + "[" + i + "]", out);
                }
            } else if (Map.class.isAssignableFrom(raw) && node.isObject()) {
                Type value = p.getActualTypeArguments()[1];
                node.fields().forEachRemaining(e -> walk(e.getValue(), value, path + "." + e.getKey(), out));
            }
            return;
        }
        if (type instanceof Class<?> c && c.isRecord() && node.isObject()) {
            Map<String, Type> components = new java.util.HashMap<>();
            for (RecordComponent rc : c.getRecordComponents()) {
                components.put(rc.getName(), rc.getGenericType());
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String field = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                Type declared = components.get(e.getKey());
                if (declared == null) {
                    out.add(field);
                } else {
                    walk(e.getValue(), declared, field, out);
                }
            }
        }
    }
}
