package io.kshift.model.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import io.kshift.model.resource.Resource;
import java.io.IOException;

/** Lets events that carry resources (snapshots, changes) decode them through the one strict reader. */
public final class ResourceJsonDeserializer extends JsonDeserializer<Resource> {
    @Override
    public Resource deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonNode node = p.readValueAsTree();
        try {
            return ResourceReader.read(node, "resource");
        } catch (ResourceFormatException e) {
            throw com.fasterxml.jackson.databind.JsonMappingException.from(p, "invalid resource: " + e.getMessage());
        }
    }
}
