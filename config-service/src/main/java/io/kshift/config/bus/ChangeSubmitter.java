package io.kshift.config.bus;

import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshTopics;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Channel {@code changes} → topic {@code kshift.changes}, key {@code mesh}: completes once Kafka has the change. */
@ApplicationScoped
public class ChangeSubmitter {
    private final MutinyEmitter<Record<String, String>> emitter;

    public ChangeSubmitter(@Channel("changes") MutinyEmitter<Record<String, String>> emitter) {
        this.emitter = emitter;
    }

    public Uni<Void> submit(ChangeRequested change) {
        return emitter.send(Record.of(MeshTopics.MESH_KEY, EventCodec.encode(change)));
    }
}
