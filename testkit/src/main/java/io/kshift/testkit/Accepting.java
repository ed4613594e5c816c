package io.kshift.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.Consumer;

/** A loopback socket on a free port whose every accepted connection is handed to {@code each}, on a daemon thread. */
public final class Accepting {
    private Accepting() {
    }

    /** Closing the returned socket stops the accepting (and closes nothing {@code each} kept). */
    public static ServerSocket loopback(Consumer<Socket> each) {
        try {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        each.accept(server.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "accepting-" + server.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
