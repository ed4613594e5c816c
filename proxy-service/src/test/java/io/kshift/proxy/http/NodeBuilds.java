package io.kshift.proxy.http;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Schemas;
import io.kshift.model.event.SnapshotDecoder;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.routing.NodeScope;
import io.kshift.model.secret.FleetKeys;
import io.kshift.proxy.routing.Destinations;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.RouteTableBuilder;
import io.kshift.proxy.telemetry.Telemetry;
import java.time.Instant;
import java.util.Random;

/** Route tables built one after the other as a node builds them: each config encoded, decoded against the last. */
final class NodeBuilds {
    private final Telemetry telemetry = Telemetry.detached();
    private final SnapshotDecoder decoder = new SnapshotDecoder();

    /** The table after {@code table} for {@code config}, built from what {@code table} leaves. */
    RouteTable next(RouteTable table, MeshConfig config, NodeScope scope) {
        MeshSnapshot s = new MeshSnapshot(Schemas.MESH_SNAPSHOT, table.generation() + 1, "c", Instant.now(),
                config.all());
        MeshSnapshot decoded = decoder.decode(EventCodec.encode(s));
        return RouteTableBuilder.build(decoded.generation(), MeshConfig.of(decoded.resources()), null,
                new Destinations(new Random(1), System::nanoTime, telemetry, table.carryOver()), table,
                FleetKeys.none(), scope);
    }

    Telemetry telemetry() {
        return telemetry;
    }
}
