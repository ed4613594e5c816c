package io.kshift.proxy.warmup;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Schemas;
import io.kshift.model.event.SnapshotDecoder;
import io.kshift.model.event.SnapshotDelta;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.mesh.SyntheticMesh;
import io.kshift.model.resource.ResourceKey;
import io.kshift.proxy.config.RouteTableFactory;
import io.kshift.proxy.routing.Destinations;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.RouteTableBuilder;
import io.kshift.proxy.telemetry.Telemetry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The warm-up's own mesh, in the resources an operator writes: a gateway with a TCP and an HTTP server, two
 * versions of a service on loopback backends, 80/20 to each, so the same code runs as for a real canary. Built
 * into a route table whose stats go to the catalogue it is given (the warm-up's own, never reported).
 */
final class WarmUpMesh {
    /**
     * How many distinct connection-pool settings the rounds cycle through: each is a pool-settings entry the node
     * keeps (empty once the warm-up's backends are gone), so their number is bounded.
     */
    static final int POOL_SETTINGS = 16;

    private WarmUpMesh() {
    }

    /**
     * {@code echo}, {@code web}: the loopback ports of versions v1 and v2 of the TCP and the HTTP backend.
     * {@code round} varies what real configs vary and the warm-up's would not: the HTTP destination's connection
     * pool settings (a new pool, with new connections, as a new DestinationRule brings; {@link #POOL_SETTINGS} of
     * them in turn) and, every other round, a
     * second server on each protocol and an HTTP route with no match block (tables of one port and of several,
     * and routes with matches and without, are held in different collection classes). The second TCP server's
     * port ({@link WarmUp#SINGLE_PORT}) routes to one destination, as "all traffic to v1" does.
     * {@code stats}: the catalogue its destinations' stats go to.
     */
    static RouteTable table(int[] echo, int[] web, int round, Telemetry stats)
            throws Exception {
        String extraServers = round % 2 == 0 ? "" : """
                  - {port: {number: %d, name: tcp-2, protocol: TCP}, hosts: ["*"]}
                  - {port: {number: %d, name: http-2, protocol: HTTP}, hosts: ["*"]}
                """.formatted(WarmUp.SINGLE_PORT, WarmUp.HTTP_PORT + 10);
        String httpRoute = round % 2 == 0 ? "- match: [{uri: {prefix: /}}]\n    route:" : "- route:";
        String yaml = """
                apiVersion: v1
                kind: Service
                metadata: {name: warm-tcp, namespace: kshift-warmup, labels: {app: warm-tcp}}
                spec: {ports: [{name: tcp, port: 7000}], selector: {app: warm-tcp}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: warm-http, namespace: kshift-warmup, labels: {app: warm-http}}
                spec: {ports: [{name: http, port: 8000}], selector: {app: warm-http}}
                """ + entries("warm-tcp", "tcp", echo) + entries("warm-http", "http", web) + """
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: warm-gw, namespace: kshift-warmup}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - {port: {number: %d, name: tcp, protocol: TCP}, hosts: ["*"]}
                  - {port: {number: %d, name: http, protocol: HTTP}, hosts: ["*"]}
                %s---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: warm-tcp, namespace: kshift-warmup}
                spec: {host: warm-tcp, subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: warm-http, namespace: kshift-warmup}
                spec:
                  host: warm-http
                  trafficPolicy:
                    connectionPool: {tcp: {connectTimeout: %dms}, http: {idleTimeout: 2s}}
                  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: warm, namespace: kshift-warmup}
                spec:
                  hosts: ["*"]
                  gateways: [warm-gw]
                  tcp:
                  - match: [{port: %d}]
                    route:
                    - {destination: {host: warm-tcp, port: {number: 7000}, subset: v1}}
                  - route:
                    - {destination: {host: warm-tcp, port: {number: 7000}, subset: v1}, weight: 80}
                    - {destination: {host: warm-tcp, port: {number: 7000}, subset: v2}, weight: 20}
                  http:
                  %s
                    - {destination: {host: warm-http, port: {number: 8000}, subset: v1}, weight: 80}
                    - {destination: {host: warm-http, port: {number: 8000}, subset: v2}, weight: 20}
                """.formatted(WarmUp.TCP_PORT, WarmUp.HTTP_PORT, extraServers, 1000 + round % POOL_SETTINGS,
                WarmUp.SINGLE_PORT, httpRoute);
        var parsed = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        if (!parsed.ok()) {
            throw new IllegalStateException("warm-up mesh does not parse: " + parsed.errors());
        }
        // Generation 1 of a table no node ever holds: it is built fresh, shares nothing with the node's tables.
        return RouteTableBuilder.build(new MeshSnapshot(null, 1, "warm-up", Instant.EPOCH, parsed.resources()),
                new Destinations(() -> ThreadLocalRandom.current().nextLong(),
                        System::nanoTime, stats));
    }

    private static String entries(String app, String portName, int[] ports) {
        StringBuilder out = new StringBuilder();
        for (int v = 0; v < ports.length; v++) {
            out.append("""
                    ---
                    apiVersion: networking.istio.io/v1
                    kind: WorkloadEntry
                    metadata: {name: %s-v%d, namespace: kshift-warmup}
                    spec: {address: 127.0.0.1, ports: {%s: %d}, labels: {app: %s, version: v%d}}
                    """.formatted(app, v + 1, portName, ports[v], app, v + 1));
        }
        return out.toString();
    }

    /** How a node builds a table: its {@link RouteTableFactory} (its scope, its keys). */
    @FunctionalInterface
    interface TableBuild {
        RouteTable build(long generation, MeshConfig config, List<ResourceKey> changedKeys, Destinations destinations,
                         RouteTable previous);
    }

    /**
     * Builds tables of a synthetic 900-resource mesh {@code rounds} times the way the config topic makes a node
     * build them, so the JIT has compiled that path before the first real bulk load (a fresh node took ~1.1 s to
     * build its first 900 resources): each round decodes a whole snapshot as the validator writes it (resources
     * stamped with their creation time, which the decoder parses), builds it, applies 20 one-weight deltas, then
     * decodes a second whole snapshot with the same decoder (unchanged resources found by their text, as after a
     * skipped generation) and builds that. Built with {@code build} (the node's own scope and keys)
     * and {@code stats} (a catalogue of the warm-up's own); the tables are dropped.
     */
    static int builds(int rounds, TableBuild build, Telemetry stats) throws Exception {
        int built = 0;
        for (int round = 0; round < rounds; round++) {
            var decoder = new SnapshotDecoder();
            var mesh = MeshConfig.empty().apply(SyntheticMesh.parse(SyntheticMesh.services("kshift-warmup", 0, 180)),
                    Instant.now()).config();
            RouteTable table = RouteTable.empty();
            table = fromSnapshot(decoder, 1, mesh, build, destinations(round, stats, table), table);
            built++;
            for (int i = 0; i < 20; i++) {
                var vs = SyntheticMesh.parse(SyntheticMesh.virtualService("kshift-warmup", i, 10 + i));
                var change = table.config().apply(vs);
                var snapshot = new MeshSnapshot(Schemas.MESH_SNAPSHOT, table.generation() + 1, "warm-up",
                        Instant.now(), change.config().all());
                var delta = EventCodec.decode(EventCodec.encode(SnapshotDelta.step(table.config(), change.config(),
                        change.changedKeys(), snapshot)), SnapshotDelta.class);
                var next = delta.applyTo(table.config()).orElseThrow();
                table = build.build(table.generation() + 1, next.config(), next.changedKeys(),
                        destinations(i, stats, table), table);
                built++;
            }
            table = fromSnapshot(decoder, table.generation() + 1, table.config(), build,
                    destinations(round, stats, table), table);
            built++;
        }
        return built;
    }

    private static RouteTable fromSnapshot(SnapshotDecoder decoder, long generation, MeshConfig config,
                                           TableBuild build, Destinations destinations, RouteTable previous) {
        String json = EventCodec.encode(new MeshSnapshot(Schemas.MESH_SNAPSHOT, generation, "warm-up", Instant.now(),
                config.all()));
        MeshSnapshot snapshot = decoder.decode(json);
        return build.build(snapshot.generation(), MeshConfig.of(snapshot.resources()), null,
                destinations, previous);
    }

    private static Destinations destinations(long seed, Telemetry stats, RouteTable previous) {
        return new Destinations(new Random(seed)::nextLong, System::nanoTime, stats, previous.carryOver());
    }
}
