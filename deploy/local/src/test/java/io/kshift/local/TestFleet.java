package io.kshift.local;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** A whole local fleet on free ports, started as {@code ./kshift up} starts it, for the end-to-end tests. */
record TestFleet(Fleet fleet, FleetLayout layout, KshiftClient client, DemoScenario samples, int gatewayPort) {

    static TestFleet up(String name, int brokers) {
        try {
            Path repo = Path.of("..", "..").toAbsolutePath().normalize();
            FleetLayout layout = FleetLayout.ephemeral(repo, Files.createTempDirectory(name), brokers);
            Fleet fleet = new Fleet(layout);
            // Not one of the layout's: those were free and released, so the kernel may hand one out again (it did:
            // the gateway port was tcp-echo v2's, and the proxies could not bind it).
            int gatewayPort;
            do {
                try (ServerSocket probe = new ServerSocket(0)) {
                    gatewayPort = probe.getLocalPort();
                }
            } while (layout.ports().contains(gatewayPort));
            fleet.up(System.out);
            // up() wrote the admin token the client sends.
            return new TestFleet(fleet, layout, new KshiftClient(layout), new DemoScenario(layout, gatewayPort,
                    new PrintStream(PrintStream.nullOutputStream())), gatewayPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
