package io.kshift.model.routing;

import io.kshift.model.resource.ResourceKey;
import java.util.List;

/**
 * A port the proxies listen on: the gateways (and their fields) that declare it, with protocols, and the routes
 * attached to it in resource order. Valid config has one protocol and at most one route per port.
 */
public record ListenerBinding(int port, List<Declaration> declarations, List<BoundRoute> routes) {

    /** One gateway server or listener declaring the port. */
    public record Declaration(ResourceKey gateway, String field, String protocol) {
    }

    public String protocol() {
        return declarations.get(0).protocol();
    }
}
