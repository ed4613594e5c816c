package io.kshift.model.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.kshift.model.resource.ResourceKey;

/**
 * What a change did to one resource, in kubectl's words. A dry run also carries {@code diff}: the resource's YAML
 * before and after, as a line diff ({@code -} removed, {@code +} added), like {@code kubectl diff}.
 */
public record ResourceAction(String kind, String namespace, String name, Action action,
                             @JsonInclude(JsonInclude.Include.NON_NULL) String diff) {

    public ResourceAction(String kind, String namespace, String name, Action action) {
        this(kind, namespace, name, action, null);
    }

    public static ResourceAction of(ResourceKey key, Action action) {
        return new ResourceAction(key.kind().kindName(), key.namespace(), key.name(), action);
    }

    public ResourceAction withDiff(String diff) {
        return new ResourceAction(kind, namespace, name, action, diff);
    }

    public enum Action {
        CREATED, CONFIGURED, UNCHANGED, DELETED, NOT_FOUND
    }
}
