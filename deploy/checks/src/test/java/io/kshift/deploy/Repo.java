package io.kshift.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The checkout: where things are, and its YAML read as trees (every document of a multi-document file). */
final class Repo {
    static final Path ROOT = Path.of(System.getProperty("kshift.root", "../..")).toAbsolutePath().normalize();
    static final String VERSION = System.getProperty("kshift.version", "0.1.0-SNAPSHOT");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Repo() {
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static JsonNode yaml(Path file) {
        List<JsonNode> docs = yamlDocuments(file);
        if (docs.size() != 1) {
            throw new IllegalStateException(file + " has " + docs.size() + " documents, expected one");
        }
        return docs.get(0);
    }

    /** Every document of a YAML file; SnakeYAML resolves merge keys ({@code <<: *anchor}), as compose does. */
    static List<JsonNode> yamlDocuments(Path file) {
        try (var reader = Files.newBufferedReader(file)) {
            List<JsonNode> docs = new ArrayList<>();
            for (Object doc : new org.yaml.snakeyaml.Yaml().loadAll(reader)) {
                if (doc != null) {
                    docs.add(JSON.valueToTree(doc));
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * The objects a kustomization lists, following directories that are kustomizations themselves (patches are
     * checked where they are written: the overlay's are merged by kustomize, never by this).
     */
    static List<ObjectNode> kustomization(Path dir) {
        List<ObjectNode> out = new ArrayList<>();
        JsonNode k = yaml(dir.resolve("kustomization.yaml"));
        for (JsonNode entry : k.path("resources")) {
            Path p = dir.resolve(entry.asText()).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(kustomization(p));
            } else {
                if (!Files.exists(p)) {
                    throw new IllegalStateException(dir + "/kustomization.yaml lists " + entry.asText()
                            + ", which does not exist");
                }
                yamlDocuments(p).forEach(d -> out.add((ObjectNode) d));
            }
        }
        String namespace = k.path("namespace").asText("");
        if (!namespace.isEmpty()) {
            out.stream().filter(o -> !o.path("kind").asText().startsWith("Cluster")
                    && !o.path("kind").asText().equals("Namespace"))
                    .forEach(o -> ((ObjectNode) o.path("metadata")).put("namespace", namespace));
        }
        return out;
    }
}
