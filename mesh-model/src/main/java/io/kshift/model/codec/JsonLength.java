package io.kshift.model.codec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * How many characters a tree is as compact JSON ({@code JsonNode.toString()}), counted without writing it: the
 * per-resource size limit is checked on every resource of every request, and writing each one out only to take
 * its length was a tenth of parsing a 900-resource body.
 */
final class JsonLength {
    private JsonLength() {
    }

    static long of(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                long length = 2;
                boolean first = true;
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    length += (first ? 0 : 1) + quoted(e.getKey()) + 1 + of(e.getValue());
                    first = false;
                }
                return length;
            }
            case ARRAY -> {
                long length = 2 + Math.max(0, node.size() - 1);
                for (JsonNode element : node) {
                    length += of(element);
                }
                return length;
            }
            case STRING -> {
                return quoted(node.textValue());
            }
            case NUMBER, BOOLEAN, NULL -> {
                return node.asText().length();
            }
            default -> {
                return node.toString().length();
            }
        }
    }

    /** A string as Jackson writes it: quoted, {@code "} and {@code \} escaped, control characters escaped. */
    private static long quoted(String s) {
        long length = 2 + s.length();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
                length += 1;
            } else if (c < 0x20) {
                length += 5;
            }
        }
        return length;
    }
}
