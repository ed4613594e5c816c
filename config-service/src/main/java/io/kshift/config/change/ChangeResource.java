package io.kshift.config.change;

import io.kshift.config.access.AccessFilter;
import io.kshift.config.access.NamespaceScope;
import io.kshift.config.bus.ChangeLedger;
import io.kshift.model.auth.Grant;
import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.BodySyntaxException;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.Operation;
import io.kshift.model.event.ValidationMessage;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /api/v1/apply} and {@code /delete} take the bodies {@code kubectl apply -f} takes; a well-formed
 * change goes onto {@code kshift.changes} and, with {@code ?wait=5s}, the answer is the validator's verdict.
 * Malformed input is answered here and never reaches the bus, and so is a change to a namespace outside the
 * caller's token (403, every such resource named). The change carries the token's subject for the audit trail.
 */
@Path("/api/v1")
public class ChangeResource {


    private final ChangeFlow flow;
    private final ChangeLedger ledger;
    private final IdempotencyKeys keys;
    private final io.kshift.config.secrets.SecretIntake secrets;
    private final io.kshift.config.bus.LiveConfig live;

    public ChangeResource(ChangeFlow flow, ChangeLedger ledger, IdempotencyKeys keys,
                          io.kshift.config.secrets.SecretIntake secrets, io.kshift.config.bus.LiveConfig live) {
        this.flow = flow;
        this.ledger = ledger;
        this.keys = keys;
        this.secrets = secrets;
        this.live = live;
    }

    /**
     * The live Secrets by key, read only when an apply holds a Secret that says {@code immutable: true} (one that
     * does not cannot keep the flag: the validator refuses that), so the snapshot is decoded for those alone.
     */
    private java.util.function.Function<io.kshift.model.resource.ResourceKey, java.util.Optional<
            io.kshift.model.resource.Resource>> liveSecrets(Operation op, List<io.kshift.model.resource.Resource>
            resources) {
        if (op != Operation.APPLY || resources.stream().noneMatch(r -> r.type() == io.kshift.model.resource.Kind.SECRET
                && Boolean.TRUE.equals(r.specAs(io.kshift.model.secret.SecretSpec.class).immutable()))) {
            return key -> java.util.Optional.empty();
        }
        Map<io.kshift.model.resource.ResourceKey, io.kshift.model.resource.Resource> byKey = new java.util.HashMap<>();
        live.current().resources().stream().filter(r -> r.type() == io.kshift.model.resource.Kind.SECRET)
                .forEach(r -> byKey.put(r.key(), r));
        return key -> java.util.Optional.ofNullable(byKey.get(key));
    }

    @POST
    @Path("apply")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> apply(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                               @QueryParam("wait") String wait,
                               @QueryParam("waitFor") String waitFor, @QueryParam("timeout") String timeout,
                               @HeaderParam(IdempotencyKeys.HEADER) String key, @Context SecurityContext security,
                               @Context jakarta.ws.rs.core.UriInfo uri) {
        String unknown = QueryParams.unknown(uri, QueryParams.CHANGE);
        if (unknown != null) {
            return Uni.createFrom().item(problem(400, unknown));
        }
        return change(Operation.APPLY, body, contentType, QueryParams.text(uri, "dryRun"),
                WaitSpec.parse(wait, waitFor, timeout), AccessFilter.grant(security),
                QueryParams.text(uri, "ifGeneration"), key);
    }

    @POST
    @Path("delete")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> delete(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                @QueryParam("wait") String wait,
                                @QueryParam("waitFor") String waitFor, @QueryParam("timeout") String timeout,
                                @HeaderParam(IdempotencyKeys.HEADER) String key, @Context SecurityContext security,
                                @Context jakarta.ws.rs.core.UriInfo uri) {
        String unknown = QueryParams.unknown(uri, QueryParams.CHANGE);
        if (unknown != null) {
            return Uni.createFrom().item(problem(400, unknown));
        }
        return change(Operation.DELETE, body, contentType, QueryParams.text(uri, "dryRun"),
                WaitSpec.parse(wait, waitFor, timeout), AccessFilter.grant(security),
                QueryParams.text(uri, "ifGeneration"), key);
    }

    @GET
    @Path("changes/{id}")
    public Response change(@PathParam("id") String id, @Context SecurityContext security) {
        Grant caller = AccessFilter.grant(security);
        // A key-named id can be guessed from a subject and a key: such a change is shown to its submitter and
        // admins only (random ids are unguessable, as before).
        Optional<ChangeResult> result = ledger.result(id).filter(r -> !id.startsWith(IdempotencyKeys.PREFIX)
                || caller.subject().equals(r.submittedBy())
                || caller.role().filter(role -> role == io.kshift.model.auth.Role.ADMIN).isPresent())
                .filter(r -> readable(r, caller));
        return result.map(r -> json(200, ChangeResponse.of(r)))
                .orElseGet(() -> problem(404, "no change " + id + " is known (results are kept 7 days)"));
    }

    /**
     * A token limited to some namespaces sees its own changes, and others' only when every resource they touch is in
     * its namespaces: a verdict's errors and diffs describe all of them and cannot be cut down to a part.
     */
    private static boolean readable(ChangeResult result, Grant caller) {
        return caller.readsAll() || caller.subject().equals(result.submittedBy()) || (!result.resources().isEmpty()
                && result.resources().stream().allMatch(a -> caller.reads(a.kind(), a.namespace(), a.name())));
    }

    private Uni<Response> change(Operation op, byte[] body, String contentType, String dryRunText, WaitSpec waitSpec,
                                 Grant grant, String ifGenerationText, String key) {
        QueryParams.Parsed<Boolean> dryRunParam = QueryParams.dryRun(dryRunText);
        QueryParams.Parsed<Long> ifGenerationParam = QueryParams.generation("ifGeneration", ifGenerationText);
        for (String problem : new String[] {dryRunParam.problem(), ifGenerationParam.problem()}) {
            if (problem != null) {
                return Uni.createFrom().item(problem(400, problem));
            }
        }
        boolean dryRun = dryRunParam.value();
        Long ifGeneration = ifGenerationParam.value();
        Optional<BodyFormat> format = BodyFormat.fromMediaType(contentType);
        if (format.isEmpty()) {
            return Uni.createFrom().item(problem(415, "Content-Type must be application/yaml or application/json, not "
                    + contentType));
        }
        if (waitSpec.problem() != null) {
            return Uni.createFrom().item(problem(400, waitSpec.problem()));
        }
        BodyFormat bodyFormat = format.get();
        return OffLoop.run(() -> submit(op, body, bodyFormat, contentType, grant, dryRun, ifGeneration, key, waitSpec));
    }

    private Uni<Response> submit(Operation op, byte[] body, BodyFormat format, String contentType, Grant grant,
                                 boolean dryRun, Long ifGeneration, String key, WaitSpec waitSpec) {
        ResourceReader.Parsed parsed;
        try {
            parsed = ResourceReader.readBody(body, format, op == Operation.DELETE);
        } catch (BodySyntaxException e) {
            return Uni.createFrom().item(json(400, Map.of("message", "body is not valid " + format + ": "
                    + e.getMessage(), "line", e.line(), "column", e.column())));
        }
        List<ValidationMessage> errors = new ArrayList<>(parsed.errors());
        errors.addAll(duplicates(parsed.resources()));
        if (!errors.isEmpty()) {
            return Uni.createFrom().item(json(422, ChangeResponse.rejected(errors)));
        }
        if (parsed.resources().isEmpty()) {
            return Uni.createFrom().item(problem(400, "the body holds no resources"));
        }
        if (io.kshift.model.bus.MeshAcls.REGISTRY_SUBJECT.equals(grant.subject())) {
            // The validator lets this subject's deletions leave routes without endpoints (pods that are gone).
            return Uni.createFrom().item(json(403, Map.of("message", "'" + grant.subject() + "' is the registry"
                    + " adapter's subject, reserved to its changes on the bus; nothing was changed")));
        }
        List<ValidationMessage> denied = NamespaceScope.denials(grant, parsed.resources());
        if (!denied.isEmpty()) {
            return Uni.createFrom().item(json(403, Map.of("message", "the token of '" + grant.subject()
                    + "' may not change every resource in this request; nothing was changed", "errors", denied)));
        }
        // Secrets' private entries are checked and sealed here: what goes onto Kafka never holds them in the clear.
        io.kshift.config.secrets.SecretIntake.Intake intake = secrets.admit(op, parsed.resources(),
                liveSecrets(op, parsed.resources()));
        if (!intake.errors().isEmpty()) {
            return Uni.createFrom().item(json(422, ChangeResponse.rejected(intake.errors())));
        }
        IdempotencyKeys.Keyed keyed = keys.keyed(key, grant.subject(), op.name(), "dryRun=" + dryRun
                + "&ifGeneration=" + ifGeneration, contentType, body);
        if (keyed.refusal() != null) {
            return Uni.createFrom().item(keyed.refusal());
        }
        boolean replayed = keyed.replayed(ledger);
        return answered(flow.run(op, intake.resources(), dryRun, waitSpec, grant.subject(), ifGeneration,
                keyed.changeId(), keyed.repeat()), keys, keyed, replayed);
    }

    /**
     * The answer to a change the flow runs: a replay marked as one; if Kafka does not take it, 503 and the key
     * released, so a retry with it is a new attempt rather than a replay of a change that never was (one that did
     * reach the bus is then skipped by the validator as a copy: same id). A send that timed out may have reached the
     * bus all the same (the broker appended it, its acknowledgement was lost): the answer says so and names the
     * change, so a caller can ask for its verdict before sending it again.
     */
    public static Uni<Response> answered(Uni<ChangeResponse> run, IdempotencyKeys keys, IdempotencyKeys.Keyed keyed,
                                         boolean replayed) {
        return run.map(r -> replayed(json(r.httpStatus(), r), replayed))
                .onFailure().recoverWithItem(e -> {
                    keys.release(keyed.changeId());
                    return problem(503, unknownOutcome(e)
                            ? "Kafka did not confirm change " + keyed.changeId() + " in time (" + e.getMessage()
                            + "): it may still be decided; see GET /api/v1/changes/" + keyed.changeId()
                            + (keyed.changeId().startsWith(IdempotencyKeys.PREFIX)
                            ? " (sending it again with the same Idempotency-Key is safe)"
                            : " before sending it again, or send it with an Idempotency-Key")
                            : "Kafka did not take the change: " + e.getMessage());
                });
    }

    /** A failure after which the record may be on the bus all the same (a timeout, not a refusal). */
    static boolean unknownOutcome(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.errors.TimeoutException
                    || t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static List<ValidationMessage> duplicates(List<Resource> resources) {
        Set<ResourceKey> seen = new HashSet<>();
        List<ValidationMessage> errors = new ArrayList<>();
        for (Resource r : resources) {
            if (!seen.add(r.key())) {
                errors.add(new ValidationMessage(r.key().toString(), "metadata.name",
                        "appears more than once in this request"));
            }
        }
        return errors;
    }

    /** Marks an answer that is an earlier request's, as {@code Idempotency-Key} users expect. */
    public static Response replayed(Response response, boolean replayed) {
        if (replayed) {
            response.getHeaders().add("Idempotent-Replayed", "true");
        }
        return response;
    }

    public static Response json(int status, Object body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(EventCodec.encode(body)).build();
    }

    public static Response problem(int status, String message) {
        return json(status, Map.of("message", message));
    }
}
