package io.kshift.config.history;

import io.kshift.config.access.AccessFilter;
import io.kshift.config.change.ChangeFlow;
import io.kshift.config.change.ChangeResource;
import io.kshift.config.change.QueryParams;
import io.kshift.config.change.WaitSpec;
import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceWriter;
import io.kshift.model.auth.Grant;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.GenerationSummary;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.resource.Resource;
import io.kshift.model.event.Operation;
import io.smallrye.common.annotation.Blocking;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * History and rollback: {@code GET /api/v1/generations}, {@code GET /api/v1/generations/{n}} (the whole config of
 * generation n, YAML or JSON), and {@code POST /api/v1/rollback?to=n}, which submits a change whose content equals
 * generation n — validated like any other change, and giving a new generation.
 */
@Path("/api/v1")
public class GenerationResource {
    private final GenerationHistory history;
    private final SnapshotFetcher fetcher;
    private final ChangeFlow flow;
    private final io.kshift.config.change.IdempotencyKeys keys;
    private final io.kshift.config.bus.ChangeLedger ledger;

    private final io.kshift.config.secrets.SecretIntake secrets;

    public GenerationResource(GenerationHistory history, SnapshotFetcher fetcher, ChangeFlow flow,
                              io.kshift.config.change.IdempotencyKeys keys, io.kshift.config.bus.ChangeLedger ledger,
                              io.kshift.config.secrets.SecretIntake secrets) {
        this.secrets = secrets;
        this.history = history;
        this.fetcher = fetcher;
        this.flow = flow;
        this.keys = keys;
        this.ledger = ledger;
    }

    @GET
    @Path("generations")
    public Response list(@Context SecurityContext security) {
        Grant grant = AccessFilter.grant(security);
        List<GenerationSummary> all = history.list();
        // A token limited to some namespaces sees the generations that changed them, and only those changes.
        List<GenerationSummary> seen = grant.readsAll() ? all
                : all.stream().flatMap(g -> g.seenBy(grant).stream()).toList();
        return ChangeResource.json(200, Map.of("generations", seen));
    }

    @GET
    @Path("generations/{n}")
    @Blocking
    public Response generation(@PathParam("n") long n, @HeaderParam(HttpHeaders.ACCEPT) String accept,
                               @Context SecurityContext security) {
        Grant grant = AccessFilter.grant(security);
        // Shown with Secrets' private entries redacted: sealed values are for the fleet, not for readers.
        Fetched whole = fetch(n, false);
        if (whole.problem() != null) {
            return whole.problem();
        }
        Optional<MeshSnapshot> snapshot = whole.snapshot().map(s -> new MeshSnapshot(s.schema(),
                s.generation(), s.changeId(), s.createdAt(), s.resources().stream()
                .filter(r -> grant.reads(r.kind(), r.namespace(), r.name())).map(Resource::redacted).toList()));
        if (snapshot.isEmpty()) {
            return ChangeResource.problem(404, "generation " + n + " is not in the history");
        }
        boolean yaml = accept != null && accept.contains("yaml");
        String body = yaml ? ResourceWriter.write(snapshot.get().resources(), BodyFormat.YAML)
                : EventCodec.encode(snapshot.get());
        return Response.ok(body).type(yaml ? "application/yaml" : MediaType.APPLICATION_JSON)
                .header("X-Kshift-Generation", n).build();
    }

    /**
     * The target comes as {@code {"to": n}} ({@code Content-Type: application/json}) or as {@code ?to=n} with no
     * body. Anything a browser could send cross-site without asking first (a form, text/plain) is refused: a
     * rollback only ever comes from a client that chose to send it.
     */
    private static final java.util.List<String> ROLLBACK_PARAMS = java.util.stream.Stream.concat(
            java.util.stream.Stream.of("to"), QueryParams.CHANGE.stream()).toList();

    @POST
    @Path("rollback")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> rollback(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                  @Context jakarta.ws.rs.core.UriInfo uri,
                                  @QueryParam("wait") String wait, @QueryParam("waitFor") String waitFor,
                                  @QueryParam("timeout") String timeout,
                                  @HeaderParam(io.kshift.config.change.IdempotencyKeys.HEADER) String key,
                                  @Context SecurityContext security) {
        String unknown = QueryParams.unknown(uri, ROLLBACK_PARAMS);
        if (unknown != null) {
            return Uni.createFrom().item(ChangeResource.problem(400, unknown));
        }
        var queryParam = QueryParams.generation("to", QueryParams.text(uri, "to"));
        var dryRunParam = QueryParams.dryRun(QueryParams.text(uri, "dryRun"));
        var ifGenerationParam = QueryParams.generation("ifGeneration", QueryParams.text(uri, "ifGeneration"));
        for (String problem : new String[] {queryParam.problem(), dryRunParam.problem(), ifGenerationParam.problem()}) {
            if (problem != null) {
                return Uni.createFrom().item(ChangeResource.problem(400, problem));
            }
        }
        boolean dryRun = dryRunParam.value();
        Long ifGeneration = ifGenerationParam.value();
        RollbackTarget asked = RollbackTarget.of(body, contentType, queryParam.value());
        if (asked.problem() != null) {
            return Uni.createFrom().item(ChangeResource.problem(asked.status(), asked.problem()));
        }
        long to = asked.generation();
        WaitSpec spec = WaitSpec.parse(wait, waitFor, timeout);
        if (spec.problem() != null) {
            return Uni.createFrom().item(ChangeResource.problem(400, spec.problem()));
        }
        String subject = AccessFilter.grant(security).subject();
        // Reading the generation back from Kafka, sealing its Secrets and encoding it: off the event loop.
        return io.kshift.config.change.OffLoop.run(() -> submit(to, subject, key, dryRun, ifGeneration, spec));
    }

    private Uni<Response> submit(long to, String subject, String key, boolean dryRun, Long ifGeneration,
                                 WaitSpec spec) {
        Fetched fetched = fetch(to, true);
        if (fetched.problem() != null) {
            return Uni.createFrom().item(fetched.problem());
        }
        Optional<MeshSnapshot> target = fetched.snapshot();
        if (target.isEmpty()) {
            return Uni.createFrom().item(ChangeResource.problem(404, "generation " + to + " is not in the history"));
        }
        io.kshift.config.change.IdempotencyKeys.Keyed keyed = keys.keyed(key, subject, "ROLLBACK", "to=" + to
                + "&dryRun=" + dryRun + "&ifGeneration=" + ifGeneration, null, null);
        if (keyed.refusal() != null) {
            return Uni.createFrom().item(keyed.refusal());
        }
        boolean replayed = keyed.replayed(ledger);
        // Its Secrets must open with today's fleet keys (a generation sealed with a retired key is refused here,
        // naming them, rather than accepted and not served).
        var intake = secrets.admit(Operation.APPLY, target.get().resources());
        if (!intake.errors().isEmpty()) {
            keys.release(keyed.changeId());
            return Uni.createFrom().item(ChangeResource.json(422, io.kshift.config.change.ChangeResponse.rejected(
                    intake.errors())));
        }
        return ChangeResource.answered(flow.run(Operation.REPLACE, intake.resources(), dryRun, spec, subject,
                ifGeneration, keyed.changeId(), keyed.repeat()), keys, keyed, replayed);
    }

    /** Generation {@code n} from the history (empty: not listed), or the answer saying why it cannot be had. */
    private record Fetched(Optional<MeshSnapshot> snapshot, Response problem) {
    }

    private Fetched fetch(long n, boolean forRollback) {
        try {
            return new Fetched(fetcher.generation(n, forRollback), null);
        } catch (SnapshotFetcher.Gone e) {
            return new Fetched(Optional.empty(), ChangeResource.problem(410, e.getMessage()));
        } catch (FetchSlots.Busy e) {
            return new Fetched(Optional.empty(), jakarta.ws.rs.core.Response.fromResponse(
                    ChangeResource.problem(503, e.getMessage())).header("Retry-After", "1").build());
        } catch (org.apache.kafka.common.KafkaException e) {
            return new Fetched(Optional.empty(), ChangeResource.problem(503, "Kafka did not give the history: "
                    + e.getMessage()));
        }
    }
}
