package io.kshift.model.codec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kshift.model.event.ValidationMessage;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.ObjectMeta;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads Kubernetes-shaped documents into typed {@link Resource}s. Strict: an unknown kind, API version or field is
 * an error naming the field; every problem in every document is collected, not just the first.
 */
public final class ResourceReader {
    /** A body read as resources, with every problem found; {@code resources} holds only the well-formed ones. */
    public record Parsed(List<Resource> resources, List<ValidationMessage> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    /** More resources than this in one request is refused: a change is reviewed as one unit. */
    public static final int MAX_RESOURCES = 1000;
    /** A resource larger than this (as JSON) is refused; Kubernetes itself stops objects at about 1.5 MB. */
    public static final int MAX_RESOURCE_BYTES = 256 * 1024;

    private static final Set<String> TOP_LEVEL = Set.of("apiVersion", "kind", "metadata", "spec", "status");
    private static final Set<String> SECRET_TOP_LEVEL = Set.of("apiVersion", "kind", "metadata", "type", "data",
            "stringData", "immutable");
    private static final java.util.regex.Pattern SECRET_KEY = java.util.regex.Pattern.compile("[-._a-zA-Z0-9]+");
    private static final Set<String> METADATA = Set.of("name", "namespace", "labels", "annotations");

    private ResourceReader() {
    }

    /** Parses a request body: YAML (multi-document) or JSON (object, array, or {@code kind: List}). */
    public static Parsed readBody(byte[] body, BodyFormat format) throws BodySyntaxException {
        List<JsonNode> items = new ArrayList<>();
        for (JsonNode doc : documents(body, format)) {
            items.addAll(expandLists(doc));
        }
        if (items.size() > MAX_RESOURCES) {
            return new Parsed(List.of(), List.of(new ValidationMessage("request", "", items.size()
                    + " resources in one request; at most " + MAX_RESOURCES + " (split the change)")));
        }
        List<Resource> resources = new ArrayList<>();
        List<ValidationMessage> errors = new ArrayList<>();
        int index = 0;
        for (JsonNode item : items) {
            index++;
            long size = JsonLength.of(item);
            if (size > MAX_RESOURCE_BYTES) {
                errors.add(new ValidationMessage("document " + index + " (" + item.path("kind").asText("?") + " "
                        + item.path("metadata").path("name").asText("?") + ")", "", "is " + size
                        + " bytes as JSON; a resource may be at most " + MAX_RESOURCE_BYTES));
                continue;
            }
            try {
                resources.add(read(item, "document " + index));
            } catch (ResourceFormatException e) {
                errors.addAll(e.problems());
            }
        }
        return new Parsed(List.copyOf(resources), List.copyOf(errors));
    }

    private static List<JsonNode> documents(byte[] body, BodyFormat format) throws BodySyntaxException {
        ObjectMapper mapper = format == BodyFormat.YAML ? Codecs.yaml() : Codecs.json();
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = mapper.readerFor(JsonNode.class).readValues(body)) {
            while (it.hasNextValue()) {
                JsonNode node = it.nextValue();
                // An empty document (a trailing or doubled "---", or one holding only comments) comes back as null
                // or as an empty string; kubectl skips those, and so does kshift.
                if (node != null && !node.isNull() && !node.isMissingNode()
                        && !(node.isTextual() && node.textValue().isBlank())) {
                    docs.add(node);
                }
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new BodySyntaxException(e.getOriginalMessage(), at == null ? 0 : at.getLineNr(),
                    at == null ? 0 : at.getColumnNr());
        } catch (IOException | RuntimeException e) {
            throw new BodySyntaxException(String.valueOf(e.getMessage()), 0, 0);
        }
        return docs;
    }

    private static List<JsonNode> expandLists(JsonNode doc) {
        if (doc.isArray()) {
            List<JsonNode> out = new ArrayList<>();
            doc.forEach(out::add);
            return out;
        }
        if (doc.isObject() && "List".equals(doc.path("kind").asText()) && doc.has("items")) {
            List<JsonNode> out = new ArrayList<>();
            doc.get("items").forEach(out::add);
            return out;
        }
        return List.of(doc);
    }

    /** Reads one resource; {@code fallbackName} names it in errors when it has no kind or name of its own. */
    public static Resource read(JsonNode node, String fallbackName) {
        List<ValidationMessage> problems = new ArrayList<>();
        if (!node.isObject()) {
            throw new ResourceFormatException(List.of(new ValidationMessage(fallbackName, "",
                    "must be an object with apiVersion, kind, metadata and spec")));
        }
        String apiVersion = node.path("apiVersion").asText("");
        String kindName = node.path("kind").asText("");
        String name = node.path("metadata").path("name").asText("");
        String namespace = node.path("metadata").path("namespace").asText(ObjectMeta.DEFAULT_NAMESPACE);
        String subject = kindName.isEmpty() || name.isEmpty() ? fallbackName
                : kindName + " " + namespace + "/" + name;

        Optional<Kind> kind = kind(apiVersion, kindName, subject, problems);
        if (kind.isPresent()) {
            subject = kind.get().displayName() + " " + namespace + "/" + (name.isEmpty() ? "<unnamed>" : name);
        }
        final String who = subject;
        boolean secret = kind.filter(k -> k == Kind.SECRET).isPresent();
        node.fieldNames().forEachRemaining(f -> {
            if (!(secret ? SECRET_TOP_LEVEL : TOP_LEVEL).contains(f)) {
                problems.add(new ValidationMessage(who, f, "unknown field"));
            }
        });
        ObjectMeta metadata = metadata(node.path("metadata"), who, problems);
        boolean namespaceKind = kind.filter(k -> k == Kind.NAMESPACE).isPresent();
        if (namespaceKind && node.path("metadata").hasNonNull("namespace")
                && !node.path("metadata").path("namespace").asText().isEmpty()) {
            problems.add(new ValidationMessage(who, "metadata.namespace", "a Namespace is cluster-scoped; leave it out"));
        }
        ResourceSpec spec = secret ? secret(node, who, problems)
                : namespaceKind && (node.get("spec") == null || node.get("spec").isNull())
                ? new io.kshift.model.k8s.NamespaceSpec(List.of())
                : kind.map(k -> spec(k, node.get("spec"), who, problems)).orElse(null);
        if (!problems.isEmpty()) {
            throw new ResourceFormatException(problems);
        }
        return new Resource(apiVersion, kindName, metadata, spec);
    }

    private static Optional<Kind> kind(String apiVersion, String kindName, String subject,
                                       List<ValidationMessage> problems) {
        if (kindName.isEmpty()) {
            problems.add(new ValidationMessage(subject, "kind", "is required"));
            return Optional.empty();
        }
        if (apiVersion.isEmpty()) {
            problems.add(new ValidationMessage(subject, "apiVersion", "is required"));
            return Optional.empty();
        }
        Optional<Kind> kind = Kind.lookup(apiVersion, kindName);
        if (kind.isEmpty()) {
            List<Kind> sameName = Kind.named(kindName);
            if (sameName.isEmpty()) {
                problems.add(new ValidationMessage(subject, "kind", "unknown kind '" + kindName
                        + "'; accepted: VirtualService, DestinationRule, Gateway, ServiceEntry, WorkloadEntry, "
                        + "Service, Secret, Namespace, Gateway API Gateway, HTTPRoute, GRPCRoute, TCPRoute, TLSRoute, UDPRoute, ReferenceGrant"));
            } else {
                List<String> versions = sameName.stream().flatMap(k -> k.apiVersions().stream()).toList();
                problems.add(new ValidationMessage(subject, "apiVersion", "'" + apiVersion
                        + "' is not accepted for kind " + kindName + "; accepted: " + String.join(", ", versions)));
            }
        }
        return kind;
    }

    private static ObjectMeta metadata(JsonNode meta, String subject, List<ValidationMessage> problems) {
        if (!meta.isObject()) {
            problems.add(new ValidationMessage(subject, "metadata", "is required (with at least a name)"));
            return null;
        }
        meta.fieldNames().forEachRemaining(f -> {
            if (!METADATA.contains(f)) {
                problems.add(new ValidationMessage(subject, "metadata." + f, "unknown field"));
            }
        });
        ObjectNode known = ((ObjectNode) meta).deepCopy();
        known.retain(METADATA);
        return convert(known, ObjectMeta.class, "metadata", subject, problems);
    }

    /**
     * A Secret's top-level {@code type}, {@code data} and {@code stringData} (folded into {@code data}, base64, as the
     * Kubernetes API server does); {@code data} values must be base64, or sealed values (the bus's form).
     */
    private static ResourceSpec secret(JsonNode node, String subject, List<ValidationMessage> problems) {
        java.util.Map<String, String> data = new java.util.TreeMap<>();
        for (String field : List.of("data", "stringData")) {
            JsonNode entries = node.get(field);
            if (entries == null || entries.isNull()) {
                continue;
            }
            if (!entries.isObject()) {
                problems.add(new ValidationMessage(subject, field, "expected object"));
                continue;
            }
            entries.fields().forEachRemaining(e -> {
                String path = field + "." + e.getKey();
                if (!SECRET_KEY.matcher(e.getKey()).matches()) {
                    problems.add(new ValidationMessage(subject, path, "a Secret key is made of letters, digits, "
                            + "'-', '_' and '.'"));
                } else if (!e.getValue().isTextual()) {
                    problems.add(new ValidationMessage(subject, path, "expected string"));
                } else if (field.equals("stringData")) {
                    data.put(e.getKey(), java.util.Base64.getEncoder().encodeToString(
                            e.getValue().textValue().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                } else if (io.kshift.model.secret.FleetKeys.isSealed(e.getValue().textValue())
                        || base64(e.getValue().textValue())) {
                    data.put(e.getKey(), e.getValue().textValue());
                } else {
                    problems.add(new ValidationMessage(subject, path, e.getValue().textValue().startsWith(
                            io.kshift.model.secret.SecretSpec.REDACTED) ? "is redacted (as GET shows it); apply the"
                            + " Secret with the value itself" : "is not valid base64"));
                }
            });
        }
        JsonNode type = node.get("type");
        if (type != null && !type.isTextual()) {
            problems.add(new ValidationMessage(subject, "type", "expected string"));
        }
        JsonNode immutable = node.get("immutable");
        if (immutable != null && !immutable.isBoolean() && !immutable.isNull()) {
            problems.add(new ValidationMessage(subject, "immutable", "expected boolean"));
        }
        return new io.kshift.model.secret.SecretSpec(type == null ? null : type.asText(), data,
                immutable == null || immutable.isNull() ? null : immutable.booleanValue());
    }

    private static boolean base64(String value) {
        try {
            java.util.Base64.getMimeDecoder().decode(value);
            return value.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '+' || c == '/' || c == '='
                    || Character.isWhitespace(c));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static ResourceSpec spec(Kind kind, JsonNode spec, String subject, List<ValidationMessage> problems) {
        if (spec == null || spec.isNull()) {
            problems.add(new ValidationMessage(subject, "spec", "is required"));
            return null;
        }
        return convert(spec, kind.specType(), "spec", subject, problems);
    }

    private static <T> T convert(JsonNode node, Class<T> type, String prefix, String subject,
                                 List<ValidationMessage> problems) {
        List<UnknownFields.Finding> unknown = UnknownFields.find(node, type, prefix);
        unknown.forEach(f -> problems.add(new ValidationMessage(subject, f.path(), f.message())));
        if (!unknown.isEmpty()) {
            return null;
        }
        try (JsonParser parser = Codecs.json().treeAsTokens(node)) {
            return Codecs.json().readerFor(type).readValue(parser);
        } catch (JsonMappingException e) {
            problems.add(new ValidationMessage(subject, FieldPath.of(prefix, e.getPath()), describe(e)));
        } catch (IOException e) {
            problems.add(new ValidationMessage(subject, prefix, String.valueOf(e.getMessage())));
        }
        return null;
    }

    private static String describe(JsonMappingException e) {
        String message = e.getOriginalMessage();
        if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f) {
            Object value = f.getValue();
            Class<?> target = f.getTargetType();
            if (target != null && target.isEnum()) {
                return "'" + value + "' is not one of " + java.util.Arrays.toString(target.getEnumConstants());
            }
            return "'" + value + "' is not a valid " + (target == null ? "value" : simpleType(target));
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m && m.getTargetType() != null) {
            return "expected " + simpleType(m.getTargetType());
        }
        int cut = message == null ? -1 : message.indexOf(" at [Source");
        return cut > 0 ? message.substring(0, cut) : String.valueOf(message);
    }

    private static String simpleType(Class<?> type) {
        if (Number.class.isAssignableFrom(type) || type == int.class || type == long.class) {
            return "number";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "list";
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "object";
        }
        return type == String.class ? "string" : type.getSimpleName();
    }
}
