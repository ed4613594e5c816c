package io.kshift.model.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonLengthTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    @Test
    void countsWhatToStringWrites() throws Exception {
        JsonNode doc = Codecs.yaml().readTree("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: "a \\"quoted\\" name", labels: {x: "tab\\there\\nnew line", y: "\\u0001\\u001f"}}
                spec:
                  hosts: [reviews, "ünïcødé", "back\\\\slash"]
                  http:
                  - route: [{destination: {host: r, port: {number: 9080}}, weight: 80}]
                    timeout: 1.5s
                    retries: {attempts: 3, perTryTimeout: 2.25}
                    empty: {}
                    none: []
                    flag: true
                    nothing: null
                """);
        assertThat(JsonLength.of(doc)).isEqualTo(doc.toString().length());
    }

    /** Random trees of every node type and awkward characters: the count always equals toString's length. */
    @Test
    void equalsToStringOnRandomTrees() {
        Random random = new Random(11);
        for (int i = 0; i < 300; i++) {
            JsonNode node = tree(random, 0);
            assertThat(JsonLength.of(node)).as(node.toString()).isEqualTo(node.toString().length());
        }
    }

    private static JsonNode tree(Random r, int depth) {
        int kind = depth > 4 ? 2 + r.nextInt(5) : r.nextInt(7);
        switch (kind) {
            case 0 -> {
                ObjectNode o = F.objectNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    o.set(text(r), tree(r, depth + 1));
                }
                return o;
            }
            case 1 -> {
                ArrayNode a = F.arrayNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    a.add(tree(r, depth + 1));
                }
                return a;
            }
            case 2 -> {
                return F.textNode(text(r));
            }
            case 3 -> {
                return r.nextBoolean() ? F.numberNode(r.nextInt()) : F.numberNode(r.nextLong());
            }
            case 4 -> {
                return F.numberNode(r.nextDouble() * Math.pow(10, r.nextInt(30) - 15));
            }
            case 5 -> {
                return F.booleanNode(r.nextBoolean());
            }
            default -> {
                return F.nullNode();
            }
        }
    }

    private static String text(Random r) {
        String alphabet = "ab\"\\\n\t\r\b\f\u0000\u0007\u001f é€😀/<>&'";
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(8); i > 0; i--) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
