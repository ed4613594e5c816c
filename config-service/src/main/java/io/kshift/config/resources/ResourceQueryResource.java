package io.kshift.config.resources;

import io.kshift.config.bus.LiveConfig;
import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceWriter;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import io.kshift.config.access.AccessFilter;
import io.kshift.model.auth.Grant;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /api/v1/resources[/{kind}[/{namespace}/{name}]]}: the live config, as YAML or JSON by
 * {@code Accept}. Kinds are named as with kubectl: {@code vs}, {@code virtualservice}, {@code VirtualServices}.
 * The generation shown is in the {@code X-Kshift-Generation} header. A token limited to some namespaces
 * ({@code kshift.io/namespaces}) reads only those: other namespaces' resources are left out of lists, and one of
 * them by name is a 404, as if it did not exist.
 */
@Path("/api/v1/resources")
public class ResourceQueryResource {
    static final String GENERATION_HEADER = "X-Kshift-Generation";

    private final LiveConfig live;

    public ResourceQueryResource(LiveConfig live) {
        this.live = live;
    }

    @GET
    public Response all(@HeaderParam(HttpHeaders.ACCEPT) String accept, @Context SecurityContext security) {
        MeshSnapshot snapshot = live.current();
        return list(snapshot, visible(snapshot.resources(), security), accept);
    }

    private static List<Resource> visible(List<Resource> resources, SecurityContext security) {
        Grant grant = AccessFilter.grant(security);
        return resources.stream().filter(r -> grant.reads(r.kind(), r.namespace(), r.name())).toList();
    }

    @GET
    @Path("{kind}")
    public Response ofKind(@PathParam("kind") String kind, @HeaderParam(HttpHeaders.ACCEPT) String accept,
                           @Context SecurityContext security) {
        Optional<Kind> k = Kind.fromUserName(kind);
        if (k.isEmpty()) {
            return notFound("unknown kind '" + kind + "'");
        }
        MeshSnapshot snapshot = live.current();
        return list(snapshot, visible(MeshConfig.of(snapshot.resources()).ofKind(k.get()), security), accept);
    }

    @GET
    @Path("{kind}/{namespace}/{name}")
    public Response one(@PathParam("kind") String kind, @PathParam("namespace") String namespace,
                        @PathParam("name") String name, @HeaderParam(HttpHeaders.ACCEPT) String accept,
                        @Context SecurityContext security) {
        Optional<Kind> k = Kind.fromUserName(kind);
        if (k.isEmpty()) {
            return notFound("unknown kind '" + kind + "'");
        }
        MeshSnapshot snapshot = live.current();
        ResourceKey key = new ResourceKey(k.get(), namespace, name);
        Optional<Resource> found = MeshConfig.of(snapshot.resources()).get(key)
                .filter(r -> AccessFilter.grant(security).reads(r.kind(), r.namespace(), r.name()));
        if (found.isEmpty()) {
            return notFound(key + " does not exist (generation " + snapshot.generation() + ")");
        }
        BodyFormat format = format(accept);
        var shown = shown(snapshot, found.get());
        String body = format == BodyFormat.YAML ? ResourceWriter.writeShown(List.of(shown), format)
                .substring("---\n".length()) : shown.toPrettyString();
        return Response.ok(body).type(mediaType(format)).header(GENERATION_HEADER, snapshot.generation()).build();
    }

    /** A resource as shown: redacted, with its status (the validator's notes on the generation shown). */
    private static com.fasterxml.jackson.databind.node.ObjectNode shown(MeshSnapshot snapshot, Resource r) {
        return ResourceWriter.shown(r.redacted(), io.kshift.model.status.ResourceStatus.of(r,
                snapshot.status(r.key()), snapshot.generation()));
    }

    private static Response list(MeshSnapshot snapshot, List<Resource> all, String accept) {
        BodyFormat format = format(accept);
        List<com.fasterxml.jackson.databind.node.ObjectNode> resources = all.stream().map(r -> shown(snapshot, r))
                .toList();
        String body = format == BodyFormat.YAML ? ResourceWriter.writeShown(resources, format)
                : EventCodec.encode(Map.of("kind", "List", "generation", snapshot.generation(), "items", resources));
        return Response.ok(body).type(mediaType(format)).header(GENERATION_HEADER, snapshot.generation()).build();
    }

    private static BodyFormat format(String accept) {
        return accept != null && accept.contains("yaml") ? BodyFormat.YAML : BodyFormat.JSON;
    }

    private static String mediaType(BodyFormat format) {
        return format == BodyFormat.YAML ? "application/yaml" : MediaType.APPLICATION_JSON;
    }

    private static Response notFound(String message) {
        return Response.status(404).type(MediaType.APPLICATION_JSON)
                .entity(EventCodec.encode(Map.of("message", message))).build();
    }
}
