package io.kshift.model.schema;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The field tree of a TypeScript declaration as {@code @kubernetes-models} generates them from CRD schemas:
 * object literals ({@code "name"?: type;}), {@code Array<T>}, index signatures ({@code [key: string]: T}, a map),
 * unions and intersections (their object operands' fields merged), {@code Exclude<A, B>} (A's). Enough to list
 * every field name at every depth; the types of leaves do not matter here.
 */
final class TsSchema {
    /** An object's fields (a leaf has none); {@code mapValue} when it is a map. */
    record Node(Map<String, Node> fields, Node mapValue) {
        static final Node LEAF = new Node(Map.of(), null);

        Node element() {
            return mapValue != null ? mapValue : this;
        }
    }

    private final String text;
    private int at;

    private TsSchema(String text) {
        this.text = text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)//.*$", " ");
    }

    /** The type of {@code interface name { ... }} in {@code source}. */
    static Node parseInterface(String source, String name) {
        TsSchema p = new TsSchema(source);
        int start = p.text.indexOf("interface " + name + " ");
        if (start < 0) {
            throw new IllegalArgumentException("no interface " + name);
        }
        p.at = p.text.indexOf('{', start);
        return p.type();
    }

    private Node type() {
        Node merged = primary();
        skip();
        while (at < text.length() && (text.charAt(at) == '&' || text.charAt(at) == '|')) {
            at++;
            merged = merge(merged, primary());
            skip();
        }
        return merged;
    }

    private Node primary() {
        skip();
        char c = text.charAt(at);
        if (c == '{') {
            return object();
        }
        if (c == '(') {
            at++;
            Node inner = type();
            expect(')');
            return inner;
        }
        if (text.startsWith("Array<", at)) {
            at += "Array<".length();
            Node element = type();
            expect('>');
            return element;
        }
        if (text.startsWith("Exclude<", at)) {
            at += "Exclude<".length();
            Node kept = type();
            expect(',');
            type();
            expect('>');
            return kept;
        }
        // A name or a literal: string, number, boolean, "A" | "B", IObjectMeta, ...
        if (c == '"') {
            at = text.indexOf('"', at + 1) + 1;
        } else {
            while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_'
                    || text.charAt(at) == '.')) {
                at++;
            }
        }
        skip();
        if (at < text.length() && text.charAt(at) == '<') { // a generic we do not look into
            int depth = 0;
            do {
                if (text.charAt(at) == '<') {
                    depth++;
                } else if (text.charAt(at) == '>') {
                    depth--;
                }
                at++;
            } while (depth > 0);
        }
        return Node.LEAF;
    }

    private Node object() {
        expect('{');
        Map<String, Node> fields = new LinkedHashMap<>();
        Node mapValue = null;
        skip();
        while (text.charAt(at) != '}') {
            if (text.charAt(at) == '[') {
                at = text.indexOf(']', at) + 1;
                expect(':');
                mapValue = type();
            } else {
                String name;
                if (text.charAt(at) == '"') {
                    int end = text.indexOf('"', at + 1);
                    name = text.substring(at + 1, end);
                    at = end + 1;
                } else {
                    int start = at;
                    while (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_') {
                        at++;
                    }
                    name = text.substring(start, at);
                }
                skip();
                if (text.charAt(at) == '?') {
                    at++;
                }
                expect(':');
                fields.merge(name, type(), TsSchema::merge);
            }
            skip();
            if (text.charAt(at) == ';' || text.charAt(at) == ',') {
                at++;
            }
            skip();
        }
        at++;
        return new Node(fields, mapValue);
    }

    private static Node merge(Node a, Node b) {
        if (a.fields().isEmpty() && a.mapValue() == null) {
            return b;
        }
        if (b.fields().isEmpty() && b.mapValue() == null) {
            return a;
        }
        Map<String, Node> fields = new LinkedHashMap<>(a.fields());
        b.fields().forEach((k, v) -> fields.merge(k, v, TsSchema::merge));
        Node value = a.mapValue() == null ? b.mapValue()
                : b.mapValue() == null ? a.mapValue() : merge(a.mapValue(), b.mapValue());
        return new Node(fields, value);
    }

    private void expect(char c) {
        skip();
        if (text.charAt(at) != c) {
            throw new IllegalStateException("expected '" + c + "' at " + at + ": "
                    + text.substring(at, Math.min(text.length(), at + 60)));
        }
        at++;
    }

    private void skip() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }
}
