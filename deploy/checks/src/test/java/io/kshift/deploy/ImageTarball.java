package io.kshift.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * An image tarball in the format {@code docker load} reads ({@code manifest.json}, the config, a gzipped tar per
 * layer), as Jib writes it: its tag, its config, and the files of its layers (path to mode, owner and size).
 */
record ImageTarball(Path tar, String repoTag, JsonNode config, Map<String, FileInfo> files, List<String> layers) {
    record FileInfo(int mode, long uid, long size) {
    }

    static ImageTarball read(Path tar) throws IOException {
        Map<String, byte[]> entries = blobs(tar);
        ObjectMapper json = new ObjectMapper();
        JsonNode manifest = json.readTree(entries.get("manifest.json")).get(0);
        JsonNode config = json.readTree(entries.get(manifest.get("Config").asText()));
        Map<String, FileInfo> files = new LinkedHashMap<>();
        List<String> layers = new ArrayList<>();
        for (JsonNode layer : manifest.get("Layers")) {
            layers.add(layer.asText());
            try (InputStream gz = new GZIPInputStream(new java.io.ByteArrayInputStream(entries.get(layer.asText())));
                 var in = new TarArchiveInputStream(gz)) {
                TarArchiveEntry e;
                while ((e = in.getNextEntry()) != null) {
                    String name = "/" + e.getName().replaceFirst("^\\./", "").replaceFirst("/$", "");
                    files.put(name, new FileInfo(e.getMode(), e.getLongUserId(), e.getSize()));
                }
            }
        }
        return new ImageTarball(tar, manifest.get("RepoTags").get(0).asText(), config.get("config"), files, layers);
    }

    /** The bytes of one file of the image (the topmost layer that has it). */
    byte[] content(String path) throws IOException {
        byte[] found = null;
        for (InputStream layer : layerStreams()) {
            try (var in = new TarArchiveInputStream(layer)) {
                TarArchiveEntry e;
                while ((e = in.getNextEntry()) != null) {
                    if (("/" + e.getName().replaceFirst("^\\./", "")).equals(path)) {
                        found = in.readAllBytes();
                    }
                }
            }
        }
        if (found == null) {
            throw new IOException(path + " is not in " + tar);
        }
        return found;
    }

    /** Each layer's tar stream, bottom layer first. */
    List<InputStream> layerStreams() throws IOException {
        Map<String, byte[]> blobs = blobs(tar);
        List<InputStream> out = new ArrayList<>();
        for (String layer : layers) {
            out.add(new GZIPInputStream(new java.io.ByteArrayInputStream(blobs.get(layer))));
        }
        return out;
    }

    /** The tag in the tarball's manifest.json (read without unpacking the layers). */
    static String repoTag(Path tar) throws IOException {
        try (var in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.getName().equals("manifest.json")) {
                    return new ObjectMapper().readTree(in.readAllBytes()).get(0)
                            .get("RepoTags").get(0).asText();
                }
            }
        }
        throw new IOException("no manifest.json in " + tar);
    }

    /** The entries of the image tarball itself: manifest, config and the gzipped layers, by name. */
    private static Map<String, byte[]> blobs(Path tar) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        try (var in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }
}
